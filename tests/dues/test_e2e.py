import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import formats, timezone
from playwright.sync_api import expect

from accounts import demo
from dues import services
from dues.models import DuesRun, Invoice, WriteOff
from members import demo as members_demo
from members import fiscal
from members import selectors as member_selectors
from members import services as member_services
from members.models import MembershipYear, Organisation
from outbox.models import Delivery
from tests import browsing

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_raises_units_and_downloads_the_invoice(portal, page, artifacts):
    call_command("seed_demo")
    this_year = fiscal.current_fiscal_year()

    page.goto(f"{portal.url}/accounts/login/")
    page.get_by_label("メールアドレス").fill(demo.MEMBER)
    page.get_by_label("パスワード").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url(f"{portal.url}/dashboard/")

    page.get_by_role("navigation", name="メインナビゲーション").get_by_role(
        "link", name="会費"
    ).click()
    page.get_by_role("link", name="次年度の口数を選ぶ").click()
    page.get_by_label("口数").fill("3")
    page.get_by_role("button", name="口数を保存").click()
    assert page.get_by_text(f"{this_year + 1}年度の口数を保存しました。").is_visible()
    assert page.get_by_text("150,000円").first.is_visible()
    page.screenshot(path=artifacts / "member-units.png", full_page=True)
    year = MembershipYear.objects.get(
        organisation__name="公益財団法人石川県産業創出支援機構", fiscal_year=this_year + 1
    )
    assert (year.units, year.votes, year.amount_due) == (3, 3, 150000)

    page.get_by_role("navigation", name="メインナビゲーション").get_by_role(
        "link", name="会費"
    ).click()
    link = page.get_by_role("link", name=f"請求書 {this_year}-").first
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    assert download_info.value.suggested_filename.startswith(f"invoice-{this_year}-")
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    page.screenshot(path=artifacts / "member-dues.png", full_page=True)


def test_the_secretariat_runs_the_dues_and_the_billing_contacts_get_their_notices(
    portal, page, artifacts
):
    """The run is handed to the worker: the request returns at once, the list shows the
    run moving and reloads itself until it is done; then each invoice's notice is mailed."""
    call_command("seed_demo")
    office = get_user_model().objects.get(email=demo.SECRETARIAT)
    next_year = fiscal.current_fiscal_year() + 1
    browsing.log_in(
        page, portal.url, office.email, demo.DEMO_PASSWORD,
        next_url="/admin/dues/duesrun/add/", totp_secret=browsing.with_totp(office),
    )  # fmt: skip
    page.get_by_label("年度").fill(str(next_year))
    page.get_by_role("button", name="保存", exact=True).click()
    # The demo's units deadline for next year has not passed: the run asks first, naming it.
    deadline = member_selectors.units_deadline(next_year)
    shown = formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
    confirm = page.get_by_label(f"口数の申込期限（{shown}）前に請求書を発行する")
    expect(confirm).to_be_visible()
    assert not DuesRun.objects.exists()
    page.screenshot(path=artifacts / "dues-run-before-deadline.png", full_page=True)
    confirm.check()
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(f"{portal.url}/admin/dues/duesrun/")
    run = DuesRun.objects.get(fiscal_year=next_year)
    # The list reloads itself (every 3 s) until the worker has finished.
    expect(page.get_by_role("status")).to_have_count(0, timeout=60_000)
    run.refresh_from_db()
    assert run.finished_at and run.created == run.targeted > 40
    done = f"{run.targeted} / {run.targeted}"
    expect(page.locator("td.field-progress").first).to_have_text(done)
    page.screenshot(path=artifacts / "dues-run-done.png", full_page=True)

    notified = Invoice.objects.filter(fiscal_year=next_year, notice_sent_at__isnull=False)
    assert notified.count() > 40
    notices = portal.mail.wait_for(
        lambda m: f"{next_year}年度" in m["Subject"], count=notified.count()
    )
    assert len(notices) == notified.count() == Delivery.objects.filter(status="sent").count()


def test_the_secretariat_writes_off_a_fee_picking_the_organisation_by_name(
    portal, page, artifacts
):
    """Under the portal's CSP: the organisation is searched by name and the invoice list
    becomes its open invoices as soon as it is chosen, with no page load in between."""
    call_command("seed_demo")
    invoice = (
        Invoice.objects.filter(status=Invoice.Status.ISSUED)
        .select_related("organisation")
        .order_by("organisation__name", "due_on")
        .first()
    )
    organisation = invoice.organisation
    open_count = Invoice.objects.filter(
        organisation=organisation, status=Invoice.Status.ISSUED
    ).count()
    office = get_user_model().objects.get(email=demo.SECRETARIAT)
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    browsing.log_in(
        page, portal.url, office.email, demo.DEMO_PASSWORD,
        next_url="/admin/dues/writeoff/add/", totp_secret=browsing.with_totp(office),
    )  # fmt: skip
    expect(page.locator("#id_invoice option")).to_have_count(1)  # the blank one only

    page.locator("#id_organisation + .select2").click()
    page.locator(".select2-search__field").fill(organisation.name[-6:])
    page.locator(".select2-results__option", has_text=str(organisation)).click()
    options = page.locator("#id_invoice option")
    expect(options).to_have_count(open_count + 1)
    expect(options.nth(1)).to_contain_text(f"{organisation.name} · {invoice.display_number}")
    page.locator("#id_invoice").select_option(str(invoice.pk))
    page.get_by_label("金額（円）").fill("500")
    page.get_by_label("理由").fill("振込手数料")
    page.screenshot(path=artifacts / "dues-write-off.png", full_page=True)
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_url(f"{portal.url}/admin/dues/writeoff/")
    assert WriteOff.objects.get().invoice == invoice
    assert not [text for text in refused if "Content Security Policy" in text]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _log_in_member(page, portal):
    browsing.log_in(page, portal.url, demo.MEMBER, demo.DEMO_PASSWORD, next_url="/dashboard/")


def test_member_changes_units_after_the_invoice_is_issued(portal, page, artifacts):
    """Next year's invoice went out before the units deadline: the member is warned, confirms,
    sees the corrected amount, and the billing contact's notice of the correction arrives."""
    call_command("seed_demo")
    next_year = fiscal.current_fiscal_year() + 1
    organisation = Organisation.objects.get(name=members_demo.DEMO_MEMBER_ORGANISATION)
    year = member_services.freeze_year(organisation, next_year)
    old = services.issue_dues_invoice(year, issued_on=timezone.localdate(), payment_days=30)
    billing = member_selectors.billing_emails([organisation.pk])[organisation.pk]
    units = year.units + 1
    total = year.membership_class.dues_for(units)

    _log_in_member(page, portal)
    page.goto(f"{portal.url}/members/units/")
    expect(page.get_by_text(old.display_number).first).to_be_visible()
    page.get_by_label("口数").fill(str(units))
    page.get_by_role("button", name="口数を保存").click()
    warning = page.locator(".alert-warning")
    expect(warning).to_contain_text(old.display_number)
    expect(warning).to_contain_text(f"{total:,}円")
    page.screenshot(path=artifacts / "member-units-after-invoice-warning.png", full_page=True)
    page.get_by_role("button", name="口数を変更して請求書を訂正する").click()

    expect(page.get_by_text(f"{next_year}年度の口数を保存しました。")).to_be_visible()
    new = Invoice.objects.get(replaces=old)
    expect(page.get_by_text(f"請求書 {new.display_number}（{total:,}円）")).to_be_visible()
    page.screenshot(path=artifacts / "member-units-after-invoice-done.png", full_page=True)
    year.refresh_from_db()
    assert (year.units, year.votes, year.amount_due, new.total) == (units, units, total, total)
    notice = portal.mail.wait_for(lambda m: new.display_number in _text(m))
    assert billing in notice["To"] and "訂正" in notice["Subject"]
    assert old.display_number in _text(notice) and f"{total:,}" in _text(notice)


def test_member_dues_pages_fit_a_phone(portal, page, artifacts):
    """At 390 px wide nothing on the member's dues pages (and the organisation's page, whose
    contacts table is built the same way) makes the page scroll sideways."""
    call_command("seed_demo")
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in_member(page, portal)
    for name, path in (
        ("dues", "/members/dues/"),
        ("billing", "/members/dues/billing/"),
        ("units", "/members/units/"),
        ("organisation", "/members/organisation/"),
        ("dashboard", "/dashboard/"),
    ):
        page.goto(f"{portal.url}{path}")
        page.screenshot(path=artifacts / f"phone-{name}.png", full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
