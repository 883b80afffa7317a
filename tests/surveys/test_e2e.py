"""In Debian's Chromium, in Japanese: the demo member contact answers the demo survey (the
network's 2019 member survey), with a conditional question that shows only after はい, a
required question left empty at first, a background autosave that survives a reload and an
"other" answer; the secretariat, logged in with TOTP in a window of its own, sees the count
of the chosen option go up by one and the description among the written answers.

The secretariat also builds a survey of its own on the survey's one admin page (questions
with their options before the first save, a conditional question picked by 「Q1 … — はい」),
a member answers it, and the results show its chart per membership class, downloaded as an
SVG image."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from accounts import demo as accounts
from members import demo as members
from members.models import MembershipClass
from surveys import demo
from surveys.models import Option, Question, Reminder, Response, Survey
from tests import browsing, factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OTHER_TEXT = "会員向けオンライン勉強会の共同開催"
PHONE = {"width": 390, "height": 844}


def ja(message: str) -> str:
    """The portal's text in Japanese (the source string while the catalogue lacks it)."""
    with translation.override("ja"):
        return gettext(message)


def saved_at() -> re.Pattern:
    """The autosave status line once a save went through: "Saved at 14:05." in Japanese."""
    before, after = ja("Saved at %(time)s.").split("%(time)s")
    return re.compile(re.escape(before) + r"\d{1,2}:\d{2}" + re.escape(after))


def block(page, question: Question):
    """The answer page's block of one question (label, inputs, messages)."""
    name = question.field_name
    inputs = page.locator(f"[name='{name}'], [name^='{name}_']")  # q1 or q1_p7, not q15
    return page.locator(".survey-question", has=inputs)


def option(question: Question, label: str) -> Option:
    return question.options.get(label=label)


def choose(page, question: Question, label: str) -> None:
    """Tick the option by its label, inside the question's own block (labels repeat)."""
    block(page, question).get_by_label(label, exact=True).check()


def fill_parts(page, question: Question, parts: list[int]) -> None:
    for opt, part in zip(question.options.order_by("order"), parts, strict=True):
        page.locator(f"[name='{question.part_field_name(opt)}']").fill(str(part))


def shown_count(page, question: Question, label: str) -> int:
    """The number of institutions shown for an option on the results page."""
    section = page.locator(f"section[aria-labelledby='q{question.pk}']")
    row = section.locator(
        "table.bar-table tbody tr", has=page.get_by_role("rowheader", name=label, exact=True)
    )
    return int(row.locator("td").nth(1).inner_text())


def test_member_answers_and_the_secretariat_sees_the_counts(portal, browser, page, artifacts):
    call_command("seed_demo")
    base = portal.url
    survey = Survey.objects.get(title=demo.TITLE)
    q = {question.code: question for question in Question.objects.filter(survey=survey)}
    used, merit, yes_no, wanted, staff_count = q["Q1"], q["Q2"], q["Q9"], q["Q10"], q["Q12"]
    other_label = "その他（記述ください）"
    assert option(used, other_label).is_other and wanted.condition_question_id == yes_no.pk
    response = Response.objects.get(
        survey=survey, organisation__name=members.DEMO_MEMBER_ORGANISATION
    )
    assert response.submitted_at is None
    results_url = f"/surveys/{survey.pk}/results/"

    # The secretariat (a window of its own: a TOTP code is good for one login) reads the
    # count before the member answers.
    office = get_user_model().objects.get(email=accounts.SECRETARIAT)
    secret = browsing.with_totp(office)
    desk = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    browsing.log_in(
        desk, base, office.email, accounts.DEMO_PASSWORD, next_url=results_url,
        totp_secret=secret,
    )  # fmt: skip
    expect(desk.locator("h1")).to_contain_text(demo.TITLE)
    before = shown_count(desk, used, other_label)

    # The member contact opens the survey: Q10 waits for Q9 = はい.
    browsing.log_in(page, base, accounts.MEMBER, accounts.DEMO_PASSWORD, next_url="/dashboard/")
    page.goto(f"{base}/surveys/{survey.pk}/")
    expect(page.locator("h1")).to_have_text(demo.TITLE)
    expect(block(page, wanted)).to_be_hidden()
    status = page.locator("[data-autosave-status]")
    expect(status).to_be_empty()

    # Changing answers saves them in the background; after a reload they are still there.
    page.locator(f"[name='{staff_count.field_name}']").fill("25")
    choose(page, yes_no, "はい")
    expect(block(page, wanted)).to_be_visible()
    expect(status).to_have_text(saved_at())
    page.reload()
    expect(page.locator(f"[name='{staff_count.field_name}']")).to_have_value("25")
    expect(block(page, yes_no).get_by_label("はい", exact=True)).to_be_checked()
    expect(block(page, wanted)).to_be_visible()
    choose(page, yes_no, "いいえ")
    expect(block(page, wanted)).to_be_hidden()
    choose(page, yes_no, "はい")
    expect(block(page, wanted)).to_be_visible()

    # An "other" answer with its description, and the rest of the questionnaire, except
    # one required question (Q2, 会員であることのメリット).
    choose(page, used, "産学官金連携の先進的な取組に関する情報提供")
    choose(page, used, other_label)
    page.locator(f"[name='{used.other_field_name}']").fill(OTHER_TEXT)
    choose(page, q["Q3"], "受賞した事業のノウハウを学べる機会等がほしい")
    choose(page, q["Q4"], "応募を考えていない")
    choose(page, q["Q5"], "イノベーションに関する施策等の情報提供")
    choose(page, q["Q6"], "他地域の先進的な支援事例")
    fill_parts(page, q["Q8"], [40, 20, 10, 10, 10, 10])
    choose(page, wanted, "若手")
    fill_parts(page, q["Q11"], [20, 50, 0, 10, 15, 5])
    choose(page, q["Q15"], "現行のままでよい")
    page.screenshot(path=artifacts / "survey-answer.png", full_page=True)

    # The same page on a phone, in the member's session.
    phone = browser.new_context(
        storage_state=page.context.storage_state(),
        locale="ja-JP",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
    ).new_page()
    phone.goto(f"{base}/surveys/{survey.pk}/")
    expect(phone.locator("h1")).to_have_text(demo.TITLE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=artifacts / "survey-answer-phone.png", full_page=True)
    phone.context.close()

    # Submitting with Q2 empty: a message beside Q2, nothing submitted.
    page.locator("button[name=submit]").click()
    expect(
        page.get_by_text(ja("Some answers need attention: see the messages below."))
    ).to_be_visible()
    message = block(page, merit).locator(".invalid-feedback")
    expect(message).to_be_visible()
    expect(message).to_have_text(ja("This question needs an answer."))
    expect(page.locator(".invalid-feedback")).to_have_count(1)
    page.screenshot(path=artifacts / "survey-answer-error.png", full_page=True)
    response.refresh_from_db()
    assert response.submitted_at is None
    expect(page.locator(f"[name='{used.other_field_name}']")).to_have_value(OTHER_TEXT)

    choose(page, merit, "あった")
    page.locator("button[name=submit]").click()
    expect(
        page.get_by_text(ja("Thank you: your institution's answers are submitted."))
    ).to_be_visible()
    response.refresh_from_db()
    assert response.is_submitted
    chosen = ja("%(option)s (%(description)s)") % {
        "option": other_label,
        "description": OTHER_TEXT,
    }
    expect(page.get_by_text(chosen)).to_be_visible()

    # The secretariat sees one more institution for その他 and the description.
    desk.reload()
    assert shown_count(desk, used, other_label) == before + 1
    section = desk.locator(f"section[aria-labelledby='q{used.pk}']")
    section.locator("details summary").click()
    written = section.locator("details li", has_text=OTHER_TEXT)
    expect(written).to_be_visible()
    expect(written).to_contain_text(other_label)
    expect(written).to_contain_text(members.DEMO_MEMBER_ORGANISATION)
    bars = desk.locator("svg.bar rect")
    assert bars.count() > 10 and bars.first.bounding_box()["width"] > 0
    desk.screenshot(path=artifacts / "survey-results.png", full_page=True)
    desk.set_viewport_size(PHONE)
    assert desk.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    desk.screenshot(path=artifacts / "survey-results-phone.png", full_page=True)
    desk.context.close()


BUILT = "会員アンケート（画面で作成）"


def test_the_secretariat_builds_a_survey_that_a_member_answers(portal, browser, page, artifacts):
    call_command("seed_demo")
    base = portal.url
    office = get_user_model().objects.get(email=accounts.SECRETARIAT)
    desk = browser.new_context(locale="ja-JP", viewport={"width": 1280, "height": 900}).new_page()
    browsing.log_in(
        desk, base, office.email, accounts.DEMO_PASSWORD, next_url="/admin/surveys/survey/add/",
        totp_secret=browsing.with_totp(office),
    )  # fmt: skip

    # One screen: the survey, and its first two questions with their options, before any
    # section exists.
    today = timezone.localdate()
    desk.locator("#id_title").fill(BUILT)
    desk.locator("#id_opens_at_0").fill(today.isoformat())
    desk.locator("#id_opens_at_1").fill("00:00:00")
    desk.locator("#id_closes_at_0").fill((today + timedelta(days=30)).isoformat())
    desk.locator("#id_closes_at_1").fill("17:00:00")
    for membership_class in MembershipClass.objects.all():
        desk.locator(f"input[name=classes][value='{membership_class.pk}']").check()
    desk.locator("#id_questions-0-order").fill("1")
    desk.locator("#id_questions-0-code").fill("Q1")
    desk.locator("#id_questions-0-text").fill("新しい取組への関心")
    desk.locator("#id_questions-0-kind").select_option("single")
    desk.locator("#id_questions-0-options").fill("はい\nいいえ")
    desk.locator("#questions-group .add-row a").click()
    desk.locator("#id_questions-1-order").fill("2")
    desk.locator("#id_questions-1-code").fill("Q2")
    desk.locator("#id_questions-1-text").fill("関心のある分野（複数回答可）")
    desk.locator("#id_questions-1-kind").select_option("multiple")
    desk.locator("#id_questions-1-options").fill("ＤＸ\n人材育成\n* その他")
    desk.screenshot(path=artifacts / "survey-builder-new.png", full_page=True)
    desk.locator("input[name=_continue]").click()
    expect(desk.locator(".messagelist .success")).to_be_visible()
    survey = Survey.objects.get(title=BUILT)
    assert survey.sections.count() == 1 and survey.questions.count() == 2

    # Saved: a third question shown only after Q1 = はい, its condition picked by the
    # question's name and the answer.
    desk.locator("#questions-group .add-row a").click()
    desk.locator("#id_questions-2-order").fill("3")
    desk.locator("#id_questions-2-code").fill("Q3")
    desk.locator("#id_questions-2-text").fill("検討中の取組の内容")
    desk.locator("#id_questions-2-kind").select_option("short_text")
    desk.locator("#id_questions-2-condition_question").select_option(label="Q1 新しい取組への関心")
    desk.locator("#id_questions-2-condition_options").select_option(
        label="Q1 新しい取組への関心 — はい"
    )
    desk.locator("input[name=_continue]").click()
    expect(desk.locator(".messagelist .success")).to_be_visible()
    desk.screenshot(path=artifacts / "survey-builder.png", full_page=True)
    q = {question.code: question for question in survey.questions.all()}
    assert q["Q3"].condition_question == q["Q1"]
    assert [o.label for o in q["Q3"].condition_options.all()] == ["はい"]
    assert [o.is_other for o in q["Q2"].options.order_by("order")] == [False, False, True]

    # The member answers it: Q3 waits for はい.
    browsing.log_in(
        page, base, accounts.MEMBER, accounts.DEMO_PASSWORD, next_url=f"/surveys/{survey.pk}/"
    )
    expect(page.locator("h1")).to_have_text(BUILT)
    expect(block(page, q["Q3"])).to_be_hidden()
    choose(page, q["Q1"], "はい")
    expect(block(page, q["Q3"])).to_be_visible()
    page.locator(f"[name='{q['Q3'].field_name}']").fill("地域DX人材の共同育成")
    choose(page, q["Q2"], "ＤＸ")
    choose(page, q["Q2"], "その他")
    page.locator(f"[name='{q['Q2'].other_field_name}']").fill("海外展開")
    page.locator("button[name=submit]").click()
    expect(
        page.get_by_text(ja("Thank you: your institution's answers are submitted."))
    ).to_be_visible()

    # The results by class: a chart per question, downloadable as an SVG image.
    desk.goto(f"{base}/surveys/{survey.pk}/results/?by=class")
    section = desk.locator(f"section[aria-labelledby='q{q['Q1'].pk}']")
    chart = section.locator("svg.survey-chart")
    expect(chart).to_be_visible()
    bars = chart.locator("rect[fill]:has(title)")
    assert bars.count() >= 2 and max(bars.nth(i).bounding_box()["width"] for i in range(2)) > 0
    expect(chart).to_contain_text("1 (100.0%)")
    desk.screenshot(path=artifacts / "survey-builder-results.png", full_page=True)
    with desk.expect_download() as download:
        section.get_by_role("link", name=ja("Download the chart (SVG image)")).click()
    svg = download.value.path().read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "新しい取組への関心" in svg and "はい" in svg
    desk.context.close()


def run_action(page, base, survey, action_label):
    page.goto(f"{base}/admin/surveys/survey/")
    page.locator(f"input[name=_selected_action][value='{survey.pk}']").check()
    page.get_by_label("操作:").select_option(label=action_label)
    page.get_by_role("button", name="実行", exact=True).first.click()


def test_the_secretariat_invites_and_reminds_and_the_contacts_get_their_mail(portal, page):
    """Invitations to a new survey and the reminders due on the demo survey, each a mailing
    that the worker sends after the admin's action has returned."""
    call_command("seed_demo")
    fresh = factories.make_survey(
        [{"code": "Q1", "kind": "number", "minimum": 0, "maximum": 100}],
        classes=list(MembershipClass.objects.all()),
        title="会員アンケート（職員数）",
    )
    office = get_user_model().objects.get(email=accounts.SECRETARIAT)
    base = portal.url
    browsing.log_in(
        page, base, office.email, accounts.DEMO_PASSWORD, next_url="/admin/surveys/survey/",
        totp_secret=browsing.with_totp(office),
    )  # fmt: skip

    # The action leads to the requests' page: who they go to, counted before sending.
    run_action(page, base, fresh, "回答依頼を送信する（未依頼の機関宛て）")
    expect(page.locator("h1")).to_contain_text("会員アンケート（職員数）")
    expect(page.locator("[data-invite-count]")).to_be_visible()
    assert not Response.objects.filter(survey=fresh, invited_at__isnull=False).exists()
    page.locator("form[method=post] button[data-once]").click()
    expect(page.locator(".messages")).to_contain_text("会員アンケート（職員数）")
    invited = eventually(
        lambda: Response.objects.filter(survey=fresh, invited_at__isnull=False).count()
    )
    invitations = portal.mail.wait_for(
        lambda m: "会員アンケート（職員数）" in m["Subject"], count=invited
    )
    assert invited > 40 and len({m["To"] for m in invitations}) > 40

    demo_survey = Survey.objects.get(title=demo.TITLE)
    assert demo_survey.responses.filter(submitted_at__isnull=True).exists()
    run_action(page, base, demo_survey, "送信時期を迎えたリマインドメールを送信する")
    reminded = eventually(lambda: Reminder.objects.filter(response__survey=demo_survey).count())
    reminders = portal.mail.wait_for(lambda m: "（リマインド）" in m["Subject"], count=reminded)
    assert all(demo.TITLE in m["Subject"] for m in reminders)


def eventually(count, timeout=60) -> int:
    """What `count` returns once it is not 0: what a worker wrote after the request."""
    deadline = time.monotonic() + timeout
    while not (value := count()):
        assert time.monotonic() < deadline, "the worker wrote nothing"
        time.sleep(0.3)
    return value
