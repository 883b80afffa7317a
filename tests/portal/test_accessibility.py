"""axe-core in Debian's Chromium over the portal's main pages, in Japanese and in English:
no serious or critical violation on any of them.

The pages are opened as the visitor who uses them: anonymous, an award applicant, a member
contact (its organisation's designated voter and primary contact), and the secretariat
logged in with TOTP. axe is injected with `page.evaluate`, which runs through the DevTools
protocol and not as a page script, so the portal's strict CSP stays on (and is checked to
be there on every audited page).

One browser context per role is logged in once and visits all of that role's pages in both
languages (the language is a cookie); the audit runs once per module, before the first test,
and each (page, language) test reports its own result.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from tests import browsing, factories
from tests.conftest import ARTIFACTS
from tests.portal_process import database_url, running_portal

# Transactional, so that pytest-django runs these with the other tests that flush the
# database (after the rest, which count on the data the migrations put in); the data of the
# audit is built and flushed by `audits`.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
LANGUAGES = ("ja", "en")
BLOCKING = ("serious", "critical")
DESKTOP = {"width": 1280, "height": 900}

# (name, role): the URL comes from the data built for the audit (`_site`).
PAGES = [
    ("home", "anonymous"),
    ("login", "anonymous"),
    ("password_reset", "anonymous"),
    ("newsletter_archive", "anonymous"),
    ("newsletter_issue", "anonymous"),
    ("newsletter_subscribe", "anonymous"),
    ("award_winners", "anonymous"),
    ("award_winner", "anonymous"),
    ("award_index", "applicant"),
    ("award_entry", "applicant"),
    ("dashboard", "member"),
    ("organisation", "member"),
    ("organisation_edit", "member"),
    ("contact_edit", "member"),
    ("dues", "member"),
    ("units", "member"),
    ("directory", "member"),
    ("survey_index", "member"),
    ("survey_answer", "member"),
    ("survey_results_member", "member"),
    ("assembly_vote", "member"),
    ("mfa_authenticate", "secretariat"),
    ("admin_organisations", "secretariat"),
    ("survey_results_secretariat", "secretariat"),
    ("events_index", "anonymous"),
    ("events_detail", "member"),
    ("events_register", "member"),
    ("events_mine", "member"),
    # regional issues (issue 22)
    ("proposals_index", "anonymous"),
    ("proposals_call", "member"),
    ("proposals_issue", "member"),
    ("proposals_form", "member"),
    ("proposals_search", "member"),
    ("proposals_mine", "member"),
    ("admin_endorsements", "secretariat"),
    # the year's proposal (issue 22, compiling)
    ("proposals_proposal", "member"),
    ("proposals_item", "member"),
    ("proposals_outcomes", "anonymous"),
    ("admin_proposal_item", "secretariat"),
]

SURVEY = [
    {"code": "Q1", "kind": "single", "options": ["大きかった", "あった", "その他*"]},
    {"code": "Q2", "kind": "multiple", "options": ["情報提供", "アワード", "その他*"]},
    {"code": "Q3", "kind": "short_text", "required": False},
    {"code": "Q4", "kind": "long_text", "required": False},
    {"code": "Q5", "kind": "rating", "options": [("良い", 3), ("普通", 2), ("悪い", 1)]},
    {"code": "Q6", "kind": "number", "minimum": 0, "maximum": 100, "unit": "人"},
    {"code": "Q7", "kind": "breakdown", "options": ["プロパー", "出向"], "required": False},
    {"code": "Q8", "kind": "single", "options": ["はい", "いいえ"], "section": "第2部"},
    {
        "code": "Q9",
        "kind": "multiple",
        "options": ["若手", "中堅"],
        "condition": ("Q8", ["はい"]),
        "section": "第2部",
    },
]
WINNERS = (
    "年度,部門,賞,名称,団体名,都道府県,概要,キーワード,講評\n"
    "2024,プログラム,経済産業大臣賞,中小企業技術評価制度,公益財団法人ひょうご産業活性化センター,"
    "兵庫県,技術と経営を評価する。,技術評価,他県にも広がった。\n"
    "2024,支援者,優秀賞,長野 花子,長野県テクノ財団,長野,精密加工の支援。,コーディネータ,\n"
)


@dataclass
class Audit:
    status: int = 0
    csp: str = ""
    url: str = ""
    violations: list = field(default_factory=list)


def _verified(user):
    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


def _site() -> dict:
    """The data behind the pages, and the URL of each page."""
    from awards import archive_import
    from awards.models import Decision
    from dues import services as dues
    from members import services as members
    from members.models import MembershipYear, PersonRole
    from newsletter.models import Issue

    factories.make_issuer()
    assembly, _entries, voters, _items = factories.voting_assembly(
        {"公益財団法人石川県産業創出支援機構": 3, "公益財団法人京都高度技術研究所": 1}
    )
    member = _verified(voters["公益財団法人石川県産業創出支援機構"])
    organisation = member.person.organisation
    members.assign_role(member.person, PersonRole.Kind.PRIMARY)
    colleague = factories.make_person(organisation, family_name="佐藤", given_name="一郎")
    year = MembershipYear.objects.create(
        organisation=organisation,
        fiscal_year=2026,
        membership_class=factories.full_class(),
        units=3,
        amount_due=150000,
        votes=3,
        standing="due",
    )
    dues.issue_dues_invoice(year, issued_on=timezone.localdate(), payment_days=30)

    office = _verified(factories.make_user("office@example.jp", is_staff=True, is_superuser=True))
    secret = browsing.with_totp(office)
    applicant = _verified(factories.make_user("applicant@example.jp"))

    survey = factories.make_survey(
        SURVEY, results_published_at=timezone.now() - timedelta(hours=1)
    )
    others = [factories.make_organisation(f"回答財団{n}") for n in range(3)]
    for n, other in enumerate(others):
        factories.answer_survey(
            survey,
            other,
            office,
            {"Q1": "あった", "Q2": ["情報提供", "その他"], "Q2_other": f"交流{n}",
             "Q4": "意見です。", "Q5": "良い", "Q6": 10 + n, "Q8": "はい", "Q9": ["若手"]},
        )  # fmt: skip

    issue = factories.make_issue(
        office,
        subject="イノベーションネット通信 第12号",
        body="# 今月の政策情報\n\n地域の皆様へ。[詳しくはこちら](https://example.jp/policy)\n\n"
        "## 勉強会\n\n- 金沢\n- 京都\n",
        status=Issue.Status.SENT,
        sent_at=timezone.now() - timedelta(days=3),
    )
    edition = factories.make_edition()
    entry = factories.make_entry(
        edition, owner=applicant, status="draft", title="地域スタートアップ共創", summary=""
    )
    archive_import.import_winners(WINNERS.encode(), "winners.csv")
    winner = Decision.objects.order_by("pk").first()
    event = _events(member, organisation)
    issues = _proposals(member, voters["公益財団法人京都高度技術研究所"], office)
    return {
        "users": {"member": member, "applicant": applicant, "secretariat": office},
        "secret": secret,
        "urls": {
            "home": "/",
            "login": "/accounts/login/",
            "password_reset": "/accounts/password/reset/",
            "newsletter_archive": "/newsletter/",
            "newsletter_issue": f"/newsletter/{issue.pk}/",
            "newsletter_subscribe": "/newsletter/subscribe/",
            "award_winners": "/award/winners/",
            "award_winner": f"/award/winners/{winner.pk}/",
            "award_index": "/award/",
            "award_entry": f"/award/entries/{entry.pk}/",
            "dashboard": "/dashboard/",
            "organisation": "/members/organisation/",
            "organisation_edit": "/members/organisation/edit/",
            "contact_edit": f"/members/organisation/contacts/{colleague.pk}/",
            "dues": "/members/dues/",
            "units": "/members/units/",
            "directory": "/members/directory/",
            "survey_index": "/surveys/",
            "survey_answer": f"/surveys/{survey.pk}/",
            "survey_results_member": f"/surveys/{survey.pk}/results/",
            "assembly_vote": f"/assembly/{assembly.pk}/",
            "admin_organisations": "/admin/members/organisation/",
            "survey_results_secretariat": f"/surveys/{survey.pk}/results/",
            "events_index": "/events/",
            "events_detail": f"/events/{event.pk}/",
            "events_register": f"/events/{event.pk}/register/",
            "events_mine": "/events/mine/",
            **issues,
        },
    }


def _events(member, organisation):
    """An exchange meeting open for registration (two sessions to choose from, co-hosts),
    a training the member and a colleague registered for, and a past event."""
    from events import services

    meeting = factories.make_event(
        kind="exchange",
        sessions=2,
        title="北陸ブロック情報・意見交換会",
        description="## 内容\n\n- 地域の課題\n- 支援事例",
        venue="金沢市文化ホール",
        venue_address="石川県金沢市高岡町15-1",
        co_hosts="経済産業省 中部経済産業局\n公益財団法人石川県産業創出支援機構",
    )
    training = factories.make_event(sessions=3, capacity=1, title="コーディネーター研修")
    services.register(
        training.pk,
        [
            factories.participant(1, user=member, email=member.email),
            factories.participant(2),
        ],
        registered_by=member,
        organisation=organisation,
        member=True,
    )
    factories.make_event(title="過去の交換会", kind="exchange", starts_in_days=-30)
    return meeting


def _proposals(member, other, office) -> dict:
    """A call with another institution's issue, endorsed by the member (one comment hidden),
    and a draft of the member's own."""
    from proposals import services

    call = factories.make_call()
    issue = factories.make_submission(
        call,
        other.person.organisation,
        other,
        title="産学連携コーディネータの確保",
        visibility="public",
        supporting_data="県内の調査（2025年）",
    )
    services.endorse(issue.pk, member, "当機関も同様の課題あり")
    third = factories.make_organisation("公益財団法人ふくい産業支援センター")
    writer = factories.make_user("fukui@example.jp")
    factories.make_person(third, user=writer)
    hidden = services.endorse(issue.pk, writer, "不適切な表現")
    services.hide(hidden, office, "個人名を含むため")
    draft = factories.make_submission(
        call, member.person.organisation, member, status="draft", title="財源の確保"
    )
    # the draft out for comments, an item citing the issue, a comment hidden; a past year's
    # proposal submitted, with an answer
    from datetime import date

    from proposals import compiling

    proposal = factories.make_proposal(comments_open=True)
    item = factories.make_item(proposal, cites=[issue])
    compiling.comment(item.pk, member, "賛成します。")
    services.hide(compiling.comment(item.pk, writer, "不適切な表現"), office, "個人名を含むため")
    past = factories.make_proposal(fiscal_year=2025, status="final")
    answered = factories.make_item(past, title="財源の拡充")
    compiling.submit_proposal(past.pk, office, date(2025, 8, 1))
    compiling.record_follow_up(
        answered.pk, office, "answered", answer="検討します。", answered_on=date(2025, 10, 1)
    )
    return {
        "proposals_proposal": f"/proposals/proposals/{proposal.pk}/",
        "proposals_item": f"/proposals/items/{item.pk}/",
        "proposals_outcomes": "/proposals/outcomes/",
        "admin_proposal_item": f"/admin/proposals/proposalitem/{item.pk}/change/",
        "proposals_index": "/proposals/",
        "proposals_call": f"/proposals/calls/{call.pk}/",
        "proposals_issue": f"/proposals/issues/{issue.pk}/",
        "proposals_form": f"/proposals/issues/{draft.pk}/edit/",
        "proposals_search": "/proposals/search/?q=さんがく",
        "proposals_mine": "/proposals/mine/",
        "admin_endorsements": "/admin/proposals/endorsement/",
    }


def run_axe(page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"][:10]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {node['target']}: {summary[:300]}")
        if len(v["nodes"]) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more nodes")
    return "\n".join(lines)


def set_language(context, base, language):
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base}])


def visit(page, base, url) -> Audit:
    response = page.goto(f"{base}{url}")
    return Audit(
        status=response.status,
        csp=response.headers.get("content-security-policy", ""),
        url=page.url,
        violations=run_axe(page),
    )


def log_in(page, base, user, language):
    browsing.log_in(
        page, base, user.email, factories.PASSWORD, next_url="/dashboard/", language=language
    )


def secretariat_log_in(page, base, user, secret, audits):
    """The staff login, auditing the TOTP step in both languages on the way."""
    set_language(page.context, base, "ja")
    page.goto(f"{base}/accounts/login/?next=/dashboard/")
    email_label, password_label = browsing.LABELS["ja"]
    page.get_by_label(email_label).fill(user.email)
    page.get_by_label(password_label).fill(factories.PASSWORD)
    page.locator("main").get_by_role("button", name=browsing.SIGN_IN["ja"]).click()
    page.wait_for_url("**/2fa/authenticate/")
    for language in LANGUAGES:
        set_language(page.context, base, language)
        audits[("mfa_authenticate", language)] = visit(page, base, "/accounts/2fa/authenticate/")
    set_language(page.context, base, "ja")
    page.reload()
    page.locator("input[name=code]").fill(browsing.totp_code(secret))
    page.locator("main").get_by_role("button", name=browsing.SIGN_IN["ja"]).click()
    page.wait_for_url(f"{base}/dashboard/")


@pytest.fixture(scope="module")
def audits(django_db_setup, browser, django_db_blocker, tmp_path_factory):
    """Every page of PAGES audited in both languages: {(name, language): Audit}.

    The portal runs as `make run` runs it, for this module alone: the data is built once,
    committed, and flushed when the module is done, as a transactional test would.
    """
    results: dict[tuple[str, str], Audit] = {}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        try:
            site = _site()
            with running_portal(
                tmp_path_factory.mktemp("a11y"),
                DATABASE_URL=database_url(connections["default"].settings_dict),
            ) as portal:
                for role in ("anonymous", "applicant", "member", "secretariat"):
                    audit_role(browser, portal.url, role, site, results)
        finally:
            call_command("flush", interactive=False, verbosity=0)
    return results


def audit_role(browser, base, role, site, results) -> None:
    context = browser.new_context(locale="ja-JP", viewport=DESKTOP)
    page = context.new_page()
    if role == "secretariat":
        secretariat_log_in(page, base, site["users"][role], site["secret"], results)
    elif role != "anonymous":
        set_language(context, base, "ja")
        log_in(page, base, site["users"][role], "ja")
    for language in LANGUAGES:
        set_language(context, base, language)
        for name, page_role in PAGES:
            if page_role == role and name in site["urls"]:  # not the TOTP step
                results[name, language] = audit = visit(page, base, site["urls"][name])
                if audit.violations:
                    page.screenshot(path=ARTIFACTS / f"a11y-{name}-{language}.png", full_page=True)
    context.close()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("name", "role"), PAGES, ids=[name for name, _role in PAGES])
def test_no_serious_or_critical_violations(audits, name, role, language):
    audit = audits[name, language]
    assert audit.status == 200, f"{name} ({role}, {language}): HTTP {audit.status} at {audit.url}"
    assert "script-src 'self'" in audit.csp and "unsafe-inline" not in audit.csp, audit.csp
    if audit.violations:
        pytest.fail(
            f"{name} ({role}, {language}) at {audit.url} has serious or critical "
            f"accessibility violations:\n{describe(audit.violations)}",
            pytrace=False,
        )
