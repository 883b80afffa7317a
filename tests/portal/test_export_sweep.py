"""Every CSV and Excel export of the portal, fed text that a spreadsheet would run as a
formula (CSV injection): none comes out as one.

The list is held complete by the source itself: nothing outside `portal/exports.py` may
write CSV or Excel, and each module calling its writers, and each admin model with its
export actions, must have a case here.
"""

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from openpyxl import load_workbook

from portal.exports import FORMULA_STARTS, safe_cell
from tests import factories

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/","x")'
ALSO_EVIL = "@SUM(1+1)"

ROOT = Path(settings.BASE_DIR)
WRITERS = "portal/exports.py"
WRITERS_MODULE = "portal.exports"
RAW_WRITER = re.compile(
    r"\bcsv\.(writer|DictWriter)\b|\bwriterows?\(|\bxlsxwriter\b|\bWorkbook\(|\.to_(csv|excel)\("
)
EXPORT_CALL = re.compile(
    r"\b(export_actions|csv_response|excel_response|rows_csv_response|workbook_response)\("
)
# Each module that calls portal/exports.py's writers, and the case below covering it.
CALLERS = {
    "members/exports.py": "admin actions (Organisation, Person)",
    "dues/exports.py": "admin actions (Invoice, Payment)",
    "members/admin.py": "member_list_template",
    "awards/views.py": "award_results",
    "surveys/exports.py": "survey_csv, survey_excel",
    "assemblies/minutes.py": "assembly_minutes",
    "events/admin.py": "admin actions (Registration)",
}


def _sources():
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {"tests", "node_modules"} or relative.parts[0].startswith("."):
            continue
        yield relative.as_posix(), path.read_text(encoding="utf-8")


def test_only_portal_exports_writes_csv_or_excel():
    raw = sorted(name for name, text in _sources() if RAW_WRITER.search(text))
    assert raw == [WRITERS], "write CSV and Excel through portal.exports (safe_cell)"


def test_every_module_calling_the_writers_has_a_case_here():
    callers = {name for name, text in _sources() if EXPORT_CALL.search(text)}
    assert callers - {WRITERS} == set(CALLERS)


# --- Reading what an export wrote ------------------------------------------------------------


def _cells(response) -> list:
    """Every cell's value; an Excel cell holding a formula fails here already."""
    if response["Content-Type"].startswith("text/csv"):
        text = response.content.decode("utf-8-sig")
        return [value for row in csv.reader(io.StringIO(text, newline="")) for value in row]
    values = []
    for sheet in load_workbook(io.BytesIO(response.content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    return values


def _assert_inert(responses, *expected):
    assert responses
    for response in responses:
        values = _cells(response)
        texts = [v for v in values if isinstance(v, str)]
        assert not [v for v in texts if v[:1] in FORMULA_STARTS], response["Content-Disposition"]
        for payload in expected:
            assert "'" + payload in texts, (payload, response["Content-Disposition"])


# --- The admin's export actions: every model admin that has them -------------------------------


def _organisation():
    return factories.make_organisation(EVIL, name_en=EVIL, address=ALSO_EVIL)


def _person():
    return factories.make_person(_organisation(), department=EVIL, title=ALSO_EVIL)


def _invoice():
    from dues import services

    factories.make_issuer()
    year = factories.due_membership_year(_organisation(), units=1)
    return services.issue_dues_invoice(year, issued_on=date(2026, 4, 1), payment_days=30)


def _payment(secretariat):
    from dues.models import Payment

    return Payment.objects.create(
        organisation=_organisation(),
        received_on=date(2026, 4, 10),
        amount=50000,
        method=Payment.Method.values[0],
        payer_name=ALSO_EVIL,
        note=EVIL,
        recorded_by=secretariat,
    )


def _registration(secretariat):
    from events.models import Registration

    return Registration.objects.create(
        event=factories.make_event(),
        status=Registration.Status.REGISTERED,
        family_name="山田",
        given_name="花子",
        email="evil@example.jp",
        affiliation=EVIL,  # a non-member's institution, as typed
        department=ALSO_EVIL,
    )


# Model → (a row holding formula-like text, what of it the export shows).
SAMPLES = {
    "members.Organisation": (lambda secretariat: _organisation(), (EVIL, ALSO_EVIL)),
    "members.Person": (lambda secretariat: _person(), (EVIL, ALSO_EVIL)),
    "dues.Invoice": (lambda secretariat: _invoice(), (EVIL,)),
    "dues.Payment": (_payment, (EVIL, ALSO_EVIL)),
    "events.Registration": (_registration, (EVIL, ALSO_EVIL)),
}


def _export_actions():
    for model, model_admin in admin.site._registry.items():
        actions = [
            a for a in model_admin.actions or () if getattr(a, "__module__", "") == WRITERS_MODULE
        ]
        if actions:
            yield model._meta.label, actions


def test_every_admin_export_has_a_sample():
    assert {label for label, _actions in _export_actions()} == set(SAMPLES)


@pytest.mark.parametrize("label", sorted(SAMPLES))
def test_admin_exports_write_no_formula(label, secretariat):
    actions = dict(_export_actions())[label]
    build, shown = SAMPLES[label]
    sample = build(secretariat)
    queryset = type(sample).objects.filter(pk=sample.pk)
    responses = [action(None, None, queryset) for action in actions]
    assert len(responses) == 2  # CSV and Excel
    _assert_inert(responses, *shown)


# --- Exports behind a page ---------------------------------------------------------------------


def test_award_results_write_no_formula(client, secretariat_with_mfa):
    from awards.models import Entry

    edition = factories.make_edition(2026, phase="judging")
    stage = edition.rounds.order_by("order").first()
    factories.bulk_judging(edition, stage, entries=2, judges=2)
    Entry.objects.filter(edition=edition).update(title=EVIL, organisation_name=ALSO_EVIL)
    client.force_login(secretariat_with_mfa)
    response = client.get(reverse("awards:results", args=[stage.pk]), {"export": "xlsx"})
    assert response.status_code == 200
    _assert_inert([response], EVIL, ALSO_EVIL)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_survey_exports_write_no_formula(client, secretariat_with_mfa, fmt):
    survey = factories.make_survey(
        [{"code": "Q1", "kind": "short_text"}, {"code": "Q2", "kind": "long_text"}]
    )
    organisation = factories.make_organisation(EVIL)
    factories.answer_survey(
        survey, organisation, secretariat_with_mfa, {"Q1": ALSO_EVIL, "Q2": "-1+2"}
    )
    client.force_login(secretariat_with_mfa)
    response = client.get(reverse("surveys:export", args=[survey.pk, fmt]))
    _assert_inert([response], EVIL, ALSO_EVIL, "-1+2")


def test_assembly_minutes_write_no_formula():
    from assemblies import minutes

    assembly, _entries, _voters, items = factories.voting_assembly(
        {EVIL: 2, ALSO_EVIL: 1}, secret_ballot=False
    )
    items["ordinary"].title = "+第1号議案"
    items["ordinary"].save()
    _assert_inert([minutes.workbook(assembly)], EVIL, ALSO_EVIL, "+第1号議案")


def test_member_list_template_writes_no_formula(client, secretariat_with_mfa):
    client.force_login(secretariat_with_mfa)
    _assert_inert([client.get(reverse("admin:members_organisationimport_template"))])


# --- The one function --------------------------------------------------------------------------


@pytest.mark.parametrize("start", sorted(FORMULA_STARTS))
def test_text_starting_a_formula_is_prefixed(start):
    assert safe_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", [-5, 1.5, date(2026, 4, 1), None, True, "株式会社 -1", ""])
def test_numbers_dates_and_plain_text_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_control_characters_are_dropped_before_the_check():
    assert safe_cell("\x0b=1+1") == "'=1+1"
