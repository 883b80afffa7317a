"""In Debian's Chromium, in Japanese, on the portal as `make run` runs it: a member contact
registers two colleagues for a two-day training that then is full; a third person waits.
One colleague cancels before the deadline, and the waiting person is offered the place by
mail. On the day the secretariat, on a phone, checks the other colleague in by the QR code's
page for the first session and by name for the second. Once the training is over it issues
the certificates and the fee invoices from the admin, and the contact downloads both."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from events import services
from events.models import Registration, Session
from tests import browsing, factories

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def ja(message: str) -> str:
    with translation.override("ja"):
        return gettext(message)


def _pdf(page, link) -> bytes:
    """A link's download through the browser's session (its cookies), checked to be a PDF."""
    href = page.evaluate("(link) => link.href", link.element_handle())
    response = page.request.get(href)
    assert response.status == 200, href
    assert response.headers["content-type"] == "application/pdf"
    body = response.body()
    assert body.startswith(b"%PDF")
    return body


def _reload_until(page, locator, timeout_s=60):
    """Work happens in the worker after the request: reload until its result shows."""
    for _attempt in range(timeout_s):
        if locator.count():
            return
        page.wait_for_timeout(1000)
        page.reload()
    expect(locator.first).to_be_visible()


def test_register_two_staff_cancel_promote_check_in_and_download(portal, browser, page, artifacts):
    base = portal.url
    factories.make_issuer()
    organisation = factories.make_organisation(
        "北陸イノベーション財団", name_kana="ホクリクイノベーションザイダン"
    )
    contact = factories.make_user("contact@example.jp")
    factories.make_person(organisation, user=contact, email=contact.email)
    ichiro = factories.make_person(
        organisation, family_name="山田", given_name="一郎", given_name_kana="イチロウ",
        email="ichiro@example.jp",
    )  # fmt: skip
    jiro = factories.make_person(
        organisation, family_name="佐藤", given_name="二郎", family_name_kana="サトウ",
        given_name_kana="ジロウ", email="jiro@example.jp",
    )  # fmt: skip
    event = factories.make_event(capacity=2, sessions=2, title="コーディネーター研修2027")
    office = factories.make_user("office@example.jp", is_staff=True, is_superuser=True)
    secret = browsing.with_totp(office)
    for user in (contact, office):  # addresses confirmed, as after their invitation
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    # 1. The contact registers two colleagues (not themself): two clicks and two ticks.
    browsing.log_in(page, base, contact.email, factories.PASSWORD, next_url=f"/events/{event.pk}/")
    page.locator("main").get_by_role("link", name=ja("Register"), exact=True).click()
    page.get_by_label(ja("I take part myself")).uncheck()
    page.get_by_label(f"山田 一郎（{ichiro.email}）").check()
    page.get_by_label(f"佐藤 二郎（{jiro.email}）").check()
    page.get_by_role("button", name=ja("Register with these details")).click()
    page.wait_for_url(f"{base}/events/mine/")
    rows = page.locator("main tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="山田 一郎")).to_contain_text(ja("registered"))
    page.screenshot(path=artifacts / "events-mine-registered.png", full_page=True)
    assert set(Registration.objects.filter(event=event).values_list("email", "status", "fee")) == {
        ("ichiro@example.jp", "registered", 5000),
        ("jiro@example.jp", "registered", 5000),
    }

    # Both confirmations leave from the portal's worker (before anything else here mails).
    confirmation = portal.mail.wait_for(lambda m: "jiro@example.jp" in m["To"])
    portal.mail.wait_for(lambda m: "ichiro@example.jp" in m["To"])
    assert [part.get_filename() for part in confirmation.iter_attachments()] == [
        "event.ics",
        "check-in.png",
    ]

    # The training is full now: the next person (a non-member) goes on the waiting list.
    waiting = services.register(
        event.pk,
        [factories.participant(9, email="waiting@example.jp", affiliation="金沢市")],
        registered_by=None,
    )[0]
    assert waiting.status == "waiting"

    # 2. 一郎 cancels, free of charge before the deadline; the waiting person is mailed.
    rows.filter(has_text="山田 一郎").get_by_role("link", name=ja("Cancel")).click()
    expect(page.get_by_text(ja("Cancelling now is free of charge."))).to_be_visible()
    page.get_by_role("button", name=ja("Cancel this registration")).click()
    page.wait_for_url(f"{base}/events/mine/")
    offer = portal.mail.wait_for(
        lambda m: "waiting@example.jp" in m["To"] and "繰上げ" in m["Subject"]
    )
    assert event.title in offer["Subject"]
    waiting.refresh_from_db()
    assert waiting.status == "offered" and waiting.offer_expires_at is not None

    # 3. On the day: the first session runs, the second is tomorrow. The secretariat, on a
    # phone, opens 二郎's QR code page (the address in his confirmation mail) and checks
    # him in; then finds him by his reading in the second session's list.
    now = timezone.now()
    first, second = event.sessions.order_by("starts_at")
    Session.objects.filter(pk=first.pk).update(
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=6)
    )
    Session.objects.filter(pk=second.pk).update(
        starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=7)
    )
    token = Registration.objects.get(email="jiro@example.jp").token
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    assert f"/events/check-in/{token}/" in text
    desk = browser.new_context(locale="ja-JP", viewport=PHONE).new_page()
    browsing.log_in(
        desk, base, office.email, factories.PASSWORD, next_url=f"/events/check-in/{token}/",
        totp_secret=secret,
    )  # fmt: skip
    desk.get_by_role("button", name=ja("Check in")).click()
    expect(desk.locator("li .badge.text-bg-success")).to_have_count(1)  # the first session
    desk.goto(f"{base}/events/{event.pk}/check-in/?session={second.pk}")
    desk.get_by_label(ja("Name (kanji or kana)")).fill("ｻﾄｳ")  # half-width, as a phone may type
    desk.get_by_role("button", name=ja("Search")).click()
    person = desk.locator("main li", has_text="佐藤 二郎")
    person.get_by_role("button", name=ja("Check in")).click()
    expect(desk.locator("#check-in-count")).to_contain_text("1")
    desk.screenshot(path=artifacts / "events-check-in-phone.png", full_page=True)
    assert desk.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert (
        Registration.objects.get(email="jiro@example.jp")
        .seats.filter(attended_at__isnull=False)
        .count()
        == 2
    )

    # 4. The training is over: the secretariat issues the certificates and the invoices.
    Session.objects.filter(pk=first.pk).update(
        starts_at=now - timedelta(days=2, hours=7), ends_at=now - timedelta(days=2)
    )
    Session.objects.filter(pk=second.pk).update(
        starts_at=now - timedelta(days=1, hours=7), ends_at=now - timedelta(days=1)
    )
    desk.set_viewport_size({"width": 1280, "height": 900})
    for action in ("Issue the certificates of completion", "Issue the participants' fee invoices"):
        desk.goto(f"{base}/admin/events/event/")
        desk.locator(f"input[name=_selected_action][value='{event.pk}']").check()
        desk.get_by_label("操作:").select_option(label=ja(action))
        desk.get_by_role("button", name="実行", exact=True).first.click()
        expect(desk.locator(".messagelist")).to_be_visible()

    # The contact downloads 二郎's certificate and the invoice of his fee.
    page.goto(f"{base}/events/mine/")
    row = page.locator("main tbody tr", has_text="佐藤 二郎")
    certificate = row.get_by_role("link", name=ja("Certificate of completion (PDF)"))
    _reload_until(page, certificate)
    invoice = page.locator("main tbody tr", has_text="佐藤 二郎").get_by_role(
        "link", name=ja("Invoice (PDF)")
    )
    _reload_until(page, invoice)
    page.screenshot(path=artifacts / "events-mine-downloads.png", full_page=True)
    row = page.locator("main tbody tr", has_text="佐藤 二郎")
    _pdf(page, row.get_by_role("link", name=ja("Certificate of completion (PDF)")))
    _pdf(page, row.get_by_role("link", name=ja("Invoice (PDF)")))
    jiro_registration = Registration.objects.select_related("invoice").get(email="jiro@example.jp")
    assert jiro_registration.certificate_number is not None
    assert jiro_registration.invoice.total == 5500  # 5,000 yen and 10% tax
    assert not Registration.objects.get(email="ichiro@example.jp").invoice_id  # cancelled in time
    desk.context.close()
