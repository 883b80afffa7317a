from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from dues import bankfiles, reconciliation, services
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


SAMPLE = Path(__file__).parent / "samples" / "zengin-03-2026-05.txt"


def test_a_statement_saved_again_with_another_line_ending_is_recognised(billed, secretariat):
    """The same statement, downloaded again: one more line break, the same five lines."""
    data = SAMPLE.read_bytes()
    first = reconciliation.import_statement(data, "may.txt", secretariat)
    assert first.entries.count() == 5
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        reconciliation.import_statement(data + b"\r\n", "may (1).txt", secretariat)
    assert refused.value.messages == [
        "All 5 lines of this file were imported already (from may.txt): there is nothing "
        "new to import."
    ]
    assert StatementImport.objects.get() == first
    assert StatementEntry.objects.count() == 5


def overlapping_statement(*extra):
    """The sample's five incoming lines (same account and references) and `extra` lines."""
    lines = [
        (line.booked_on, line.amount, line.payer_name, line.reference)
        for line in bankfiles.parse_zengin(SAMPLE.read_bytes())
    ]
    return build_zengin(
        [*lines, *extra],
        created_on=date(2026, 6, 5),
        bank_code="0001",
        branch_code="071",
        account_number="1234567",
    )


def test_an_overlapping_statement_imports_its_new_lines_and_counts_the_rest(billed, secretariat):
    reconciliation.import_statement(SAMPLE.read_bytes(), "may.txt", secretariat)
    new_line = (date(2026, 6, 2), 150000, "ｺｳｴｷｻﾞｲﾀﾞﾝﾎｳｼﾞﾝｷﾖｳﾄｺｳﾄﾞｷﾞｼﾞﾕﾂｹﾝｷﾕｳｼﾖ", "6021")
    statement = reconciliation.import_statement(
        overlapping_statement(new_line), "may-june.txt", secretariat
    )
    assert statement.skipped_lines == 5
    assert [entry.amount for entry in statement.entries.all()] == [150000]
    assert StatementEntry.objects.count() == 6


def test_the_admin_says_how_many_lines_were_new_and_how_many_seen_before(
    client, billed, secretariat_with_mfa
):
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    add = reverse("admin:dues_statementimport_add")
    first = client.post(
        add, {"upload": SimpleUploadedFile("may.txt", SAMPLE.read_bytes())}, follow=True
    )
    assert [str(message) for message in first.context["messages"]] == [
        "may.txt: 5 new lines imported, 1 of them recorded as payments."
    ]
    new_line = (date(2026, 6, 2), 150000, "ｺｳｴｷｻﾞｲﾀﾞﾝﾎｳｼﾞﾝｷﾖｳﾄｺｳﾄﾞｷﾞｼﾞﾕﾂｹﾝｷﾕｳｼﾖ", "6021")
    response = client.post(
        add,
        {"upload": SimpleUploadedFile("june.txt", overlapping_statement(new_line))},
        follow=True,
    )
    said = [str(message) for message in response.context["messages"]]
    assert said == [
        "june.txt: 1 new line imported, 1 of them recorded as a payment.",
        "5 lines were imported already from earlier statements and were skipped.",
    ]
    statement = StatementImport.objects.get(file_name="june.txt")
    assert response.redirect_chain[-1][0] == reverse(
        "admin:dues_statementimport_change", args=[statement.pk]
    )

    again = client.post(
        add, {"upload": SimpleUploadedFile("may-again.txt", SAMPLE.read_bytes() + b"\n")}
    )
    assert again.status_code == 200
    assert "All 5 lines of this file were imported already" in again.content.decode()
    assert StatementImport.objects.count() == 2
