"""In Debian's Chromium, in English: an applicant drafts and submits an entry with an
attachment (attached without saving first: the typing is kept); the secretariat closes the
call, opens the first round and assigns it; a judge saves a partial sheet (a form error names
what is missing), then a full one; the secretariat sees it ranked."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from awards.models import Assignment, Attachment, Entry
from tests import browsing, factories
from tests.sample_files import PDF

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def english(page, base):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def fill_entry(page):
    page.get_by_label("Applicant organisation").fill("Test Foundation")
    page.get_by_label("Prefecture").select_option(label="Ishikawa")
    page.get_by_label("Summary").fill("Start-ups and local firms build products together.")
    page.get_by_label("Contact person").fill("Taro Applicant")
    for label in ("背景・目的", "取組内容", "成果", "波及効果", "持続性"):
        page.get_by_label(label, exact=True).fill(f"{label}: what we did.")


def test_enter_judge_and_rank(portal, browser, page, artifacts, tmp_path):
    edition = factories.make_edition()
    applicant = factories.make_user("applicant@example.jp")
    judge = factories.make_judge(edition, factories.make_user("judge@example.jp")).user
    office = factories.make_user("office@example.jp", is_staff=True, is_superuser=True)
    secret = browsing.with_totp(office)
    for user in (applicant, judge, office):
        verified(user)
    base = portal.url
    english(page, base)

    # The applicant drafts, attaches and submits.
    browsing.log_in(
        page, base, applicant.email, factories.PASSWORD, next_url="/award/", language="en"
    )
    page.locator("main").get_by_role(
        "button", name="Start an entry (self-nomination)"
    ).first.click()
    page.get_by_label("プログラム名").fill("Regional start-up co-creation")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The entry is saved.")).to_be_visible()
    # Typing, then attaching without saving first: the typing is saved with the file.
    page.get_by_label("Summary").fill("Typed before attaching.")
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(PDF)
    page.get_by_label("File").set_input_files(str(pdf))
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("plan.pdf is attached.")).to_be_visible()
    expect(page.get_by_label("Summary")).to_have_value("Typed before attaching.")
    page.get_by_label("File").set_input_files(str(pdf))  # the same file again: refused
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_text("This file is attached already, as plan.pdf.")).to_be_visible()
    assert Attachment.objects.count() == 1
    page.get_by_role("button", name="Submit the entry").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()  # not complete yet
    fill_entry(page)
    page.get_by_role("button", name="Submit the entry").click()
    expect(page.get_by_text("The entry is submitted")).to_be_visible()
    page.screenshot(path=artifacts / "award-entry-submitted.png", full_page=True)
    entry = Entry.objects.get()
    assert (
        entry.status == Entry.Status.SUBMITTED and Attachment.objects.filter(entry=entry).exists()
    )
    portal.mail.wait_for(lambda m: "Regional start-up co-creation" in m.get_content())
    browsing.log_out(page, base)

    # The secretariat (in a window of its own: a TOTP code is good for one login) closes
    # the call, opens the document review and assigns the entry.
    desk = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900}).new_page()
    english(desk, base)
    browsing.log_in(
        desk, base, office.email, factories.PASSWORD, next_url="/admin/awards/edition/",
        totp_secret=secret, language="en",
    )  # fmt: skip
    desk.get_by_role("checkbox", name="Select this object for an action").first.check()
    desk.locator("select[name=action]").select_option(label="Close the call for entries now")
    desk.get_by_role("button", name="Go").click()
    expect(desk.get_by_text("The call is closed.")).to_be_visible()
    desk.goto(f"{base}/admin/awards/round/")
    stage = edition.rounds.order_by("order").first()
    desk.locator(f"input[name=_selected_action][value='{stage.pk}']").check()
    desk.locator("select[name=action]").select_option(label="Open the round now")
    desk.get_by_role("button", name="Go").click()
    expect(desk.get_by_text("The round is open.")).to_be_visible()
    desk.goto(f"{base}/admin/awards/round/{stage.pk}/assign/")
    desk.get_by_label(str(judge)).first.check()
    desk.get_by_role("button", name="Assign").click()
    expect(desk.get_by_text("1 assignments made")).to_be_visible()
    browsing.log_out(page, base)

    # The judge scores it.
    english(page, base)
    browsing.log_in(
        page, base, judge.email, factories.PASSWORD, next_url="/award/judging/", language="en"
    )
    page.get_by_role("link", name="Regional start-up co-creation").click()
    expect(page.get_by_role("link", name="plan.pdf")).to_be_visible()
    expect(page.locator(".scale-legend")).to_contain_text("outstanding")
    # A partial sheet: a form error names the criteria left blank; nothing counts yet.
    sheet = page.locator("main select[name^=criterion_]")
    blank = [c.name for c in stage.criteria.order_by("order", "pk")][2:]
    for n in range(2):
        sheet.nth(n).select_option("4")
    page.get_by_label("Comment").fill("Strong collaboration.")
    page.get_by_role("button", name="Save scores").click()
    error = page.get_by_text("Score every criterion to complete the review.")
    expect(error).to_be_visible()
    for name in blank:
        expect(error).to_contain_text(name)
    expect(sheet.nth(0)).to_have_value("4")  # what was chosen stays chosen
    page.screenshot(path=artifacts / "award-partial-sheet.png", full_page=True)
    assert not Assignment.objects.filter(scored_at__isnull=False).exists()
    # The full sheet.
    for n in range(2, sheet.count()):
        sheet.nth(n).select_option("4")
    page.get_by_role("button", name="Save scores").click()
    expect(page.get_by_text("Your scores are saved.")).to_be_visible()
    browsing.log_out(page, base)

    # The secretariat sees it ranked.
    desk.goto(f"{base}/award/rounds/{stage.pk}/results/")
    first_row = desk.locator("table.results-table tbody tr").first
    expect(first_row).to_contain_text("Regional start-up co-creation")
    expect(first_row.locator("td").first).to_have_text("1")
    expect(first_row).to_contain_text("4.00")
    desk.screenshot(path=artifacts / "award-results.png", full_page=True)
    desk.context.close()


def test_a_submitted_entry_is_edited_and_a_nominee_agrees_from_the_mail(portal, page, artifacts):
    """The award's mail, each sent by the worker: the confirmation of an entry, the notice
    that a submitted entry changed, and a third-party nomination's invitation, whose link
    the nominee follows to agree."""
    factories.make_edition()
    applicant, nominee = (
        verified(factories.make_user("applicant@example.jp")),
        verified(factories.make_user("nominee@example.jp")),
    )
    base = portal.url
    english(page, base)
    browsing.log_in(
        page, base, applicant.email, factories.PASSWORD, next_url="/award/", language="en"
    )
    page.locator("main").get_by_role(
        "button", name="Start an entry (self-nomination)"
    ).first.click()
    page.get_by_label("プログラム名").fill("Co-creation with local firms")
    fill_entry(page)
    page.get_by_role("button", name="Submit the entry").click()
    expect(page.get_by_text("The entry is submitted")).to_be_visible()
    portal.mail.wait_for(lambda m: "Co-creation with local firms" in m.get_content())

    page.get_by_label("Summary").fill("Start-ups, local firms and the prefecture build together.")
    page.get_by_role("button", name="Save and resubmit").click()
    expect(page.get_by_text("The entry is submitted")).to_be_visible()
    changed = portal.mail.wait_for(lambda m: "応募内容が変更されました" in m["Subject"])
    assert applicant.email in changed["To"]
    assert Entry.objects.get().summary.startswith("Start-ups, local firms and the prefecture")

    # The applicant nominates another organisation's programme.
    page.goto(f"{base}/award/")
    page.get_by_role("link", name="Nominate another organisation's programme or person").click()
    page.get_by_label("Track").select_option(index=1)
    page.get_by_label("Programme or person nominated").fill("Hokkaido food valley")
    page.get_by_label("Their organisation").fill("Hokkaido Foundation")
    page.get_by_label("Prefecture").select_option(label="Hokkaido")
    page.get_by_label("Contact person there").fill("Hanako Nominee")
    page.get_by_label("Their email address").fill(nominee.email)
    page.get_by_label("Your organisation").fill("Test Foundation")
    page.get_by_label("Why you nominate them").fill("They built a food cluster with farmers.")
    page.locator("main").get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text(f"{nominee.email} is asked by email to agree")).to_be_visible()
    invitation = portal.mail.wait_for(lambda m: "に推薦されました" in m["Subject"])
    link = re.search(r"(http://\S+/award/consent/\S+/)", invitation.get_content()).group(1)
    browsing.log_out(page, base)

    english(page, base)
    browsing.log_in(
        page, base, nominee.email, factories.PASSWORD, next_url="/award/", language="en"
    )
    page.goto(link)
    page.get_by_role("button", name="I agree and will complete the entry").click()
    expect(page.get_by_text("Thank you for agreeing. Please complete the entry.")).to_be_visible()
    page.screenshot(path=artifacts / "award-nomination-agreed.png", full_page=True)
    nominated = Entry.objects.get(title="Hokkaido food valley")
    assert nominated.owner == nominee and nominated.nomination == Entry.Nomination.THIRD_PARTY
