"""Keyboard-only journeys in Debian's Chromium, in Japanese: logging in (a member contact,
and the secretariat with its TOTP code), answering a survey, submitting an award entry.

Only page.keyboard is used on the pages (Tab, Shift+Tab, Enter, Space, arrow keys and
typing): no mouse, no fill() or click(). The submit buttons must show their focus."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.utils import translation
from django.utils.translation import gettext

from awards.models import Entry
from surveys.models import Answer, Response
from tests import browsing, factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
SURVEY = [
    {"code": "Q1", "kind": "single", "options": ["大きかった", "あった", "なかった"]},
    {"code": "Q2", "kind": "multiple", "options": ["情報提供", "アワード", "交流"]},
    {"code": "Q3", "kind": "number", "minimum": 0, "maximum": 1000, "unit": "人"},
    {"code": "Q4", "kind": "short_text"},
]


def ja(message: str) -> str:
    with translation.override("ja"):
        return gettext(message)


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def press_submit(page, selector, artifacts, shot):
    """Tab to the submit button, check that its focus shows, and press Enter."""
    browsing.tab_to(page, selector)
    assert browsing.focus_is_visible(page), f"no visible focus on {selector}"
    page.screenshot(path=artifacts / shot, full_page=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def keyboard_log_in(page, base, email, *, next_url, artifacts, shot, totp_secret=None):
    page.goto(f"{base}/accounts/login/?next={next_url}")
    # The first Tab reaches the skip link; Enter moves to the main content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")
    assert browsing.focus_is_visible(page)
    page.keyboard.press("Enter")
    browsing.tab_to(page, "input[name=login]")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "password"
    page.keyboard.type(factories.PASSWORD)
    press_submit(page, "main button[type=submit]", artifacts, shot)
    if totp_secret:
        page.wait_for_url("**/2fa/authenticate/")
        browsing.tab_to(page, "input[name=code]")
        page.keyboard.type(browsing.totp_code(totp_secret))
        press_submit(page, "main button[type=submit]", artifacts, f"totp-{shot}")
    page.wait_for_url(f"{base}{next_url}")


def test_member_and_secretariat_log_in_by_keyboard(portal, browser, page, artifacts):
    organisation = factories.make_organisation("公益財団法人石川県産業創出支援機構")
    member = verified(factories.make_user("member@example.jp"))
    factories.make_person(organisation, user=member, email=member.email)
    office = verified(factories.make_user("office@example.jp", is_staff=True, is_superuser=True))
    secret = browsing.with_totp(office)
    base = portal.url

    keyboard_log_in(
        page, base, member.email, next_url="/dashboard/", artifacts=artifacts,
        shot="keyboard-login-member.png",
    )  # fmt: skip
    assert page.locator("h1").inner_text() == "ダッシュボード"
    member.refresh_from_db()
    assert member.last_login is not None

    desk = browser.new_context(locale="ja-JP", viewport=DESKTOP).new_page()
    keyboard_log_in(
        desk, base, office.email, next_url="/admin/", artifacts=artifacts,
        shot="keyboard-login-secretariat.png", totp_secret=secret,
    )  # fmt: skip
    desk.screenshot(path=artifacts / "keyboard-login-secretariat-admin.png", full_page=True)
    office.refresh_from_db()
    assert office.last_login is not None
    desk.context.close()


def test_member_answers_a_survey_by_keyboard(portal, page, artifacts):
    organisation = factories.make_organisation("公益財団法人石川県産業創出支援機構")
    member = verified(factories.make_user("member@example.jp"))
    factories.make_person(organisation, user=member, email=member.email)
    survey = factories.make_survey(SURVEY)
    q = {question.code: question for question in survey.questions.all()}
    base = portal.url
    keyboard_log_in(
        page, base, member.email, next_url=f"/surveys/{survey.pk}/", artifacts=artifacts,
        shot="keyboard-survey-login.png",
    )  # fmt: skip

    # A radio group: Tab reaches its first option, Space ticks it, ArrowDown moves on.
    browsing.tab_to(page, f"input[name='{q['Q1'].field_name}']")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    # Check boxes: Tab from one to the next, Space ticks.
    browsing.tab_to(page, f"input[name='{q['Q2'].field_name}']")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    browsing.tab_to(page, f"[name='{q['Q3'].field_name}']")
    page.keyboard.type("25")
    browsing.tab_to(page, f"[name='{q['Q4'].field_name}']")
    page.keyboard.type("勉強会の共同開催")
    # Shift+Tab goes back: the number is still there.
    browsing.tab_to(page, f"[name='{q['Q3'].field_name}']", backwards=True)
    assert page.evaluate("document.activeElement.value") == "25"
    press_submit(page, "button[name=submit]", artifacts, "keyboard-survey-answer.png")
    page.screenshot(path=artifacts / "keyboard-survey-submitted.png", full_page=True)

    response = Response.objects.get(survey=survey, organisation=organisation)
    assert response.is_submitted
    answers = {a.question.code: a for a in Answer.objects.filter(response=response)}
    chosen = {
        code: sorted(c.option.label for c in answers[code].choices.all()) for code in ("Q1", "Q2")
    }
    assert chosen == {"Q1": ["あった"], "Q2": ["交流", "情報提供"]}
    assert answers["Q3"].number == 25 and answers["Q4"].text == "勉強会の共同開催"


def test_applicant_submits_an_award_entry_by_keyboard(portal, page, artifacts):
    factories.make_edition()
    applicant = verified(factories.make_user("applicant@example.jp"))
    base = portal.url
    keyboard_log_in(
        page, base, applicant.email, next_url="/award/", artifacts=artifacts,
        shot="keyboard-award-login.png",
    )  # fmt: skip
    browsing.tab_to(page, "main button", name=ja("Start an entry (self-nomination)"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    entry = Entry.objects.get(owner=applicant)

    def type_into(field, text):
        browsing.tab_to(page, f"[name='{field}']")
        page.keyboard.press("Control+A")
        page.keyboard.type(text)

    type_into("title", "地域スタートアップ共創プログラム")
    type_into("organisation_name", "公益財団法人テスト財団")
    browsing.tab_to(page, "select[name=prefecture]")
    page.keyboard.press("ArrowDown")  # the first prefecture: 北海道
    type_into("summary", "スタートアップと地域企業が共に製品を作る。")
    type_into("contact_name", "応募 太郎")
    for section in entry.track.sections.filter(required=True):
        type_into(f"section_{section.key}", f"{section.label}：取り組んだこと。")
    press_submit(page, "button[name=submit]", artifacts, "keyboard-award-entry.png")
    page.screenshot(path=artifacts / "keyboard-award-submitted.png", full_page=True)

    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED and entry.submitted_at.date() <= date.today()
    assert (entry.title, entry.prefecture, entry.contact_name) == (
        "地域スタートアップ共創プログラム",
        1,
        "応募 太郎",
    )
