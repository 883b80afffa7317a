import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from dues import services
from dues.models import DuesRun, Invoice, InvoiceSequence
from members import fiscal
from members.models import MembershipClass, MembershipYear, PersonRole
from members.services import assign_role
from tests import factories

FY = fiscal.current_fiscal_year()


@pytest.fixture
def members(db, secretariat):
    """One full member with 3 units chosen, one academic, one observer, one steering agency."""
    factories.make_issuer()
    full = factories.full_class()
    academic = factories.make_class("academic", "flat", is_invoiced=True, flat_amount=15000)
    observer = factories.make_class("observer", "none")
    steering = factories.make_class("steering", "none")
    isico = factories.make_organisation("公益財団法人石川県産業創出支援機構", full)
    MembershipYear.objects.create(
        organisation=isico,
        fiscal_year=FY,
        membership_class=full,
        units=3,
        amount_due=150000,
        votes=3,
        standing="due",
    )
    billing = factories.make_person(isico, email="billing@isico.example.jp")
    assign_role(billing, PersonRole.Kind.BILLING)
    tohoku = factories.make_organisation("国立大学法人東北大学", academic)
    assign_role(
        factories.make_person(tohoku, email="primary@tohoku.example.jp"), PersonRole.Kind.PRIMARY
    )
    factories.make_organisation("青森県産業技術センター", observer)
    factories.make_organisation("国立研究開発法人科学技術振興機構", steering)
    return {"isico": isico, "tohoku": tohoku}


def run(user, capture):
    with capture(execute=True):
        return services.start_dues_run(DuesRun(fiscal_year=FY, started_by=user))


@pytest.mark.django_db
def test_dues_run_invoices_each_invoiced_membership(
    members, secretariat, django_capture_on_commit_callbacks
):
    dues_run = run(secretariat, django_capture_on_commit_callbacks)
    invoices = {i.organisation.name: i for i in Invoice.objects.select_related("organisation")}
    assert set(invoices) == {"公益財団法人石川県産業創出支援機構", "国立大学法人東北大学"}
    isico = invoices["公益財団法人石川県産業創出支援機構"]
    assert isico.total == 150000
    line = isico.lines.get()
    assert (line.quantity, line.unit_price, line.tax_category) == (3, 50000, "outside")
    assert invoices["国立大学法人東北大学"].total == 15000
    assert sorted(i.number for i in invoices.values()) == [1, 2]
    dues_run.refresh_from_db()
    assert (dues_run.targeted, dues_run.processed, dues_run.created) == (2, 2, 2)
    assert dues_run.finished_at is not None
    # Notices go to the billing contact, falling back to the primary contact.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "billing@isico.example.jp",
        "primary@tohoku.example.jp",
    ]
    assert all(i.notice_sent_at and i.pdf_sha256 for i in Invoice.objects.all())
    assert "/members/dues/" in mail.outbox[0].body


@pytest.mark.django_db
def test_running_twice_creates_nothing_new(
    members, secretariat, django_capture_on_commit_callbacks
):
    run(secretariat, django_capture_on_commit_callbacks)
    first = list(Invoice.objects.values_list("pk", "number"))
    second_run = run(secretariat, django_capture_on_commit_callbacks)
    assert list(Invoice.objects.values_list("pk", "number")) == first
    assert InvoiceSequence.objects.get(fiscal_year=FY).last_number == 2
    second_run.refresh_from_db()
    assert second_run.created == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_number_without_gaps(secretariat, monkeypatch):
    factories.make_issuer()
    full = factories.full_class()
    for number in range(30):
        factories.make_organisation(f"テスト財団{number:02d}", full)
    monkeypatch.setattr("dues.mail.notify_unnotified", lambda fiscal_year: 0)
    runs = [DuesRun.objects.create(fiscal_year=FY, started_by=secretariat) for _ in range(3)]
    errors = []

    def work(run_id):
        try:
            services.execute_dues_run(run_id)
        except Exception as exc:  # reported below; a thread must not swallow it silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(r.pk,)) for r in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Invoice.objects.filter(fiscal_year=FY).values_list("number", flat=True))
    assert numbers == list(range(1, 31))
    assert sum(DuesRun.objects.values_list("created", flat=True)) == 30


@pytest.mark.django_db
def test_dues_run_needs_the_issuer_first(client, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    response = client.post(reverse("admin:dues_duesrun_add"), {"fiscal_year": FY})
    assert response.status_code == 200
    assert "発行者" in response.content.decode()
    assert not DuesRun.objects.exists()


@pytest.mark.django_db
def test_secretariat_starts_a_run_in_the_admin(
    client, members, secretariat_with_mfa, django_capture_on_commit_callbacks
):
    client.force_login(secretariat_with_mfa)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:dues_duesrun_add"), {"fiscal_year": FY})
    assert response.status_code == 302
    assert Invoice.objects.count() == 2
    changelist = client.get(reverse("admin:dues_duesrun_changelist")).content.decode()
    assert "2 / 2" in changelist
    invoice = Invoice.objects.first()
    page = client.get(reverse("admin:dues_invoice_change", args=[invoice.pk]))
    assert page.status_code == 200
    assert invoice.lines.get().description in page.content.decode()


@pytest.mark.django_db
def test_members_download_only_their_own_invoices(
    client,
    members,
    secretariat,
    member,
    outsider,
    organisation,
    django_capture_on_commit_callbacks,
):
    # `member` acts for `organisation` (ISICO from conftest is a different row than members').
    MembershipYear.objects.create(
        organisation=organisation,
        fiscal_year=FY,
        membership_class=MembershipClass.objects.get(code="full"),
        units=2,
        amount_due=100000,
        votes=2,
        standing="due",
    )
    run(secretariat, django_capture_on_commit_callbacks)
    own = Invoice.objects.get(organisation=organisation)
    other = Invoice.objects.exclude(organisation=organisation).first()

    client.force_login(member)
    dues_page = client.get(reverse("dues:index")).content.decode()
    assert own.display_number in dues_page
    assert other.display_number not in dues_page
    response = client.get(reverse("dues:invoice_pdf", args=[own.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("dues:invoice_pdf", args=[other.pk])).status_code == 404

    client.force_login(outsider)
    assert client.get(reverse("dues:invoice_pdf", args=[own.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 30])
def test_dues_page_query_budget(
    client, member, organisation, extra, django_assert_max_num_queries
):
    for number in range(extra):
        Invoice.objects.create(
            fiscal_year=2000 + number,
            number=1,
            organisation=organisation,
            addressee="x 御中",
            issued_on="2026-04-01",
            due_on="2026-05-01",
            total=100000,
        )
    client.force_login(member)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("dues:index")).status_code == 200


@pytest.mark.django_db
def test_a_run_before_the_units_deadline_asks_first_naming_the_deadline(
    client, members, secretariat_with_mfa, django_capture_on_commit_callbacks
):
    """Members may still change their units: the run waits for an explicit confirmation,
    and the warning names the deadline as the portal's language writes dates."""
    from datetime import timedelta

    from django.utils import formats, timezone

    from members.models import FiscalYearSettings

    deadline = timezone.now() + timedelta(days=10)
    FiscalYearSettings.objects.create(fiscal_year=FY, units_deadline=deadline)
    client.force_login(secretariat_with_mfa)
    url = reverse("admin:dues_duesrun_add")

    with django_capture_on_commit_callbacks(execute=True):
        warned = client.post(url, {"fiscal_year": FY})

    body = warned.content.decode()
    shown = formats.date_format(timezone.localtime(deadline), "DATETIME_FORMAT")
    assert warned.status_code == 200
    assert shown in body and "年" in shown  # e.g. 2026年12月17日23:05
    assert 'type="checkbox" name="confirm_before_deadline"' in body
    assert f"口数の申込期限（{shown}）前に請求書を発行する" in body  # the box names it too
    assert not DuesRun.objects.exists() and not Invoice.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {"fiscal_year": FY, "confirm_before_deadline": "on"})

    assert done.status_code == 302
    assert Invoice.objects.count() == 2


@pytest.mark.django_db
def test_a_run_after_the_units_deadline_starts_without_asking(
    client, members, secretariat_with_mfa, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from members.models import FiscalYearSettings

    FiscalYearSettings.objects.create(
        fiscal_year=FY, units_deadline=timezone.now() - timedelta(minutes=1)
    )
    client.force_login(secretariat_with_mfa)
    assert 'type="checkbox"' not in client.get(reverse("admin:dues_duesrun_add")).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:dues_duesrun_add"), {"fiscal_year": FY})

    assert response.status_code == 302
    assert Invoice.objects.count() == 2
