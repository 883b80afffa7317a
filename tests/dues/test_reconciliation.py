from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dues import reconciliation, services
from dues.bankfiles import build_zengin
from dues.models import Invoice, PayerAlias, Payment, StatementEntry, StatementImport
from members.models import MembershipYear
from tests import factories

pytestmark = pytest.mark.django_db

ISICO_KANA = "コウエキザイダンホウジンイシカワケンサンギョウソウシュツシエンキコウ"


@pytest.fixture
def billed(db):
    """ISICO owes 100,000 (FY2026); ASTEM owes 150,000 (FY2026)."""
    factories.make_issuer()
    full = factories.full_class()
    organisations = {
        "isico": factories.make_organisation(
            "公益財団法人石川県産業創出支援機構", name_kana=ISICO_KANA
        ),
        "astem": factories.make_organisation(
            "公益財団法人京都高度技術研究所",
            name_kana="コウエキザイダンホウジンキョウトコウドギジュツケンキュウショ",
        ),
    }
    for key, units in (("isico", 2), ("astem", 3)):
        year = MembershipYear.objects.create(
            organisation=organisations[key],
            fiscal_year=2026,
            membership_class=full,
            units=units,
            amount_due=units * 50000,
            votes=units,
            standing="due",
        )
        services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)
    return organisations


def zengin(*lines):
    return build_zengin(lines, created_on=date(2026, 5, 31))


def test_sure_matches_are_recorded_as_payments(billed, secretariat):
    data = zengin(
        (date(2026, 5, 20), 100000, "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ", "1"),
        (date(2026, 5, 21), 150000, "ｺｳｴｷｻﾞｲﾀﾞﾝﾎｳｼﾞﾝｷﾖｳﾄｺｳﾄﾞｷﾞｼﾞﾕﾂｹﾝｷﾕｳｼﾖ", "2"),
    )
    statement = reconciliation.import_statement(data, "may.txt", secretariat)
    entries = list(statement.entries.order_by("line_no"))
    assert [e.status for e in entries] == ["matched", "matched"]
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid"}
    assert Payment.objects.get(organisation=billed["isico"]).received_on == date(2026, 5, 20)


def test_fee_shortfall_and_unknown_payer_wait_for_review(billed, secretariat):
    data = zengin(
        (date(2026, 5, 20), 99340, "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ", "1"),
        (date(2026, 5, 21), 150000, "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ", "2"),
    )
    statement = reconciliation.import_statement(data, "may.txt", secretariat)
    short, treasury = statement.entries.order_by("line_no")
    assert short.status == "review"
    assert short.organisation == billed["isico"]
    assert "660" in short.note
    assert treasury.status == "unmatched"
    assert not Payment.objects.exists()


def test_confirming_teaches_an_alias_for_next_time(billed, secretariat):
    first = zengin((date(2026, 5, 21), 70000, "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ", "2"))
    entry = reconciliation.import_statement(first, "a.txt", secretariat).entries.get()
    entry.organisation = billed["astem"]
    entry.save()
    reconciliation.confirm(entry, secretariat)
    entry.refresh_from_db()
    assert entry.status == "matched"
    assert PayerAlias.objects.get().organisation == billed["astem"]
    assert services.outstanding(Invoice.objects.get(organisation=billed["astem"])) == 80000

    second = zengin((date(2026, 6, 21), 80000, "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ", "3"))
    assert reconciliation.import_statement(second, "b.txt", secretariat).entries.get().status == (
        "matched"
    )
    assert Invoice.objects.get(organisation=billed["astem"]).status == "paid"


def test_the_same_file_or_line_is_not_recorded_twice(billed, secretariat):
    line = (date(2026, 5, 20), 100000, "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ", "1")
    data = zengin(line)
    reconciliation.import_statement(data, "may.txt", secretariat)
    with pytest.raises(ValidationError, match=r"may\.txt"):
        reconciliation.import_statement(data, "may-again.txt", secretariat)
    # An overlapping statement (another file) carrying the same line.
    overlapping = zengin(line, (date(2026, 5, 22), 1, "ﾃｽﾄ", "9"))
    statement = reconciliation.import_statement(overlapping, "may-june.txt", secretariat)
    assert statement.entries.count() == 1
    assert Payment.objects.count() == 1


def test_malformed_file_is_rejected_whole_with_line_numbers(billed, secretariat):
    data = bytearray(zengin((date(2026, 5, 20), 100000, "ﾃｽﾄ", "1")))
    broken = bytes(data[:230]) + b"X" + bytes(data[231:])  # damage the amount of line 2
    csv = "date,amount,payer_name\n2026-05-20,100000,ｲｼｶﾜ\n2026-13-01,5,ｷﾖｳﾄ\n".encode()
    for payload in (broken, csv):
        with pytest.raises(ValidationError) as rejected:
            reconciliation.import_statement(payload, "bad.txt", secretariat)
        assert any(message.startswith(("2行目", "3行目")) for message in rejected.value.messages)
    assert not StatementImport.objects.exists()
    assert not Payment.objects.exists()


def test_csv_statement(billed, secretariat):
    csv = 'date,amount,payer_name\n2026/05/20,"100,000",ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ\n'
    statement = reconciliation.import_statement(csv.encode("utf-8-sig"), "a.csv", secretariat)
    assert statement.entries.get().status == "matched"


def test_upload_and_review_in_the_admin(client, billed, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    data = zengin((date(2026, 5, 21), 150000, "ｷﾖｳﾄｼｶｲｹｲｶﾝﾘｼﾔ", "2"))
    response = client.post(
        reverse("admin:dues_statementimport_add"),
        {"upload": SimpleUploadedFile("may.txt", data)},
    )
    assert response.status_code == 302
    entry = StatementEntry.objects.get()
    assert entry.status == "unmatched"
    StatementEntry.objects.filter(pk=entry.pk).update(organisation=billed["astem"])
    response = client.post(
        reverse("admin:dues_statemententry_changelist"),
        {"action": "confirm", "_selected_action": [entry.pk]},
    )
    assert response.status_code == 302
    assert Invoice.objects.get(organisation=billed["astem"]).status == "paid"

    response = client.post(
        reverse("admin:dues_statementimport_add"),
        {"upload": SimpleUploadedFile("again.txt", data)},
    )
    assert response.status_code == 200
    assert "may.txt" in response.content.decode()


def test_only_the_secretariat_imports_statements(client, member):
    client.force_login(member)
    response = client.get(reverse("admin:dues_statementimport_add"), follow=True)
    assert response.status_code == 403
