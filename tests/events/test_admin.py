"""The events' admin: actions enqueue their task once after commit, materials are checked on
upload and kept under a random name, and the registrations export as the 名簿."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from events import services, tasks
from events.models import Material, Registration, Seat
from tests import factories
from tests.admin_forms import add_inline_row, change_page_data
from tests.factories import participant
from tests.sample_files import PDF

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:events_event_changelist"


@pytest.fixture
def office(client, secretariat_with_mfa, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(secretariat_with_mfa)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def sent(monkeypatch):
    """The ids each task was sent with."""
    calls = []
    for name in ("issue_fee_invoices", "issue_certificates", "send_feedback_survey"):
        task = getattr(tasks, name)
        monkeypatch.setattr(task, "delay", lambda pk, name=name: calls.append((name, pk)))
    return calls


def _act(client, action, events, capture):
    with capture(execute=True) as callbacks:
        response = client.post(
            reverse(CHANGELIST),
            {"action": action, "_selected_action": [e.pk for e in events]},
            follow=True,
        )
    assert response.status_code == 200
    return response, callbacks


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_issuing_fee_invoices_enqueues_once_and_counts_the_unlinked(
    office, sent, organisation, django_capture_on_commit_callbacks
):
    event = factories.make_event(capacity=5)
    services.register(
        event.pk, [participant(1)], registered_by=None, organisation=organisation, member=True
    )
    services.register(event.pk, [participant(2), participant(3)], registered_by=None)
    response, callbacks = _act(
        office, "issue_fee_invoices", [event], django_capture_on_commit_callbacks
    )
    assert sent == [("issue_fee_invoices", event.pk)]
    assert len(callbacks) == 1
    assert any(
        "Registrations owing a fee without an organisation: 2." in m for m in _messages(response)
    )


def test_issuing_certificates_enqueues_ended_trainings_only(
    office, sent, django_capture_on_commit_callbacks
):
    training = factories.make_event(starts_in_days=-3)  # ended two days ago
    meeting = factories.make_event(kind="exchange", starts_in_days=-3)
    upcoming = factories.make_event()
    response, _callbacks = _act(
        office,
        "issue_certificates",
        [training, meeting, upcoming],
        django_capture_on_commit_callbacks,
    )
    assert sent == [("issue_certificates", training.pk)]
    assert (
        "Certificates of completion are for training only, and are issued once the training "
        "has ended." in _messages(response)
    )


def test_the_feedback_survey_action_needs_a_survey_and_enqueues_once(
    office, sent, django_capture_on_commit_callbacks
):
    survey = factories.make_survey([{"code": "Q1", "kind": "short_text", "required": False}])
    with_survey = factories.make_event(feedback_survey=survey)
    without = factories.make_event()
    response, _callbacks = _act(
        office, "send_feedback_survey", [with_survey, without], django_capture_on_commit_callbacks
    )
    assert sent == [("send_feedback_survey", with_survey.pk)]
    assert "Choose the event's feedback survey first." in _messages(response)


def test_the_feedback_task_goes_through_the_survey_app(monkeypatch):
    from surveys import mail as survey_mail

    organisation = factories.make_organisation()
    survey = factories.make_survey([{"code": "Q1", "kind": "short_text", "required": False}])
    event = factories.make_event(feedback_survey=survey)
    registration = services.register(
        event.pk, [participant(1)], registered_by=None, organisation=organisation, member=True
    )[0]
    Seat.objects.filter(registration=registration).update(attended_at=timezone.now())
    calls = []
    monkeypatch.setattr(
        survey_mail, "invite", lambda pk, **kw: calls.append((pk, kw["organisations"])) or 1
    )
    assert tasks.send_feedback_survey(event.pk) == 1
    assert calls == [(survey.pk, [organisation.pk])]


# --- Materials ------------------------------------------------------------------------------


def _with_material(office, event, upload):
    url = reverse("admin:events_event_change", args=[event.pk])
    data = change_page_data(office.get(url))
    data = add_inline_row(data, "materials", title="配布資料", release="before", file=upload)
    return office.post(url, data)


def test_a_material_is_typed_by_its_content_and_stored_under_a_random_name(office):
    event = factories.make_event()
    upload = SimpleUploadedFile("当日資料.pdf", PDF, content_type="application/pdf")
    response = _with_material(office, event, upload)
    assert response.status_code == 302, response.context and response.context["errors"]
    material = Material.objects.get(event=event)
    assert material.file_name == "当日資料.pdf"
    assert material.content_type == "application/pdf"
    assert "当日資料" not in material.file.name
    assert material.file.name.endswith(".pdf")


def test_a_file_that_is_not_what_it_says_is_refused(office):
    event = factories.make_event()
    upload = SimpleUploadedFile(
        "virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = _with_material(office, event, upload)
    assert response.status_code == 200
    assert "not an accepted type" in response.content.decode()
    assert not Material.objects.exists()


# --- Registrations --------------------------------------------------------------------------


def test_the_registration_list_filters_and_searches(office, organisation):
    from members.models import RegionalBlock

    RegionalBlock.objects.create(name="関東")  # a filter of one choice is not shown
    event = factories.make_event(capacity=5)
    factories.make_event(title="別の研修")
    services.register(
        event.pk,
        [participant(1, family_name="検索", given_name="対象", family_name_kana="ケンサク")],
        registered_by=None,
        organisation=organisation,
        member=True,
    )
    services.register(event.pk, [participant(2)], registered_by=None)
    url = reverse("admin:events_registration_changelist")
    page = office.get(url, {"q": "ケンサク"})
    assert page.status_code == 200
    assert [str(r) for r in page.context["cl"].result_list] == ["検索 対象"]
    page = office.get(url, {"member__exact": "0"})
    assert [r.email for r in page.context["cl"].result_list] == ["participant2@example.jp"]
    page = office.get(url, {"organisation__block__id__exact": organisation.block_id})
    assert page.context["cl"].result_count == 1
    page = office.get(url, {"event__id__exact": event.pk, "status__exact": "registered"})
    assert page.context["cl"].result_count == 2


def test_the_registration_is_linked_to_an_organisation_but_its_money_is_read_only(
    office, organisation
):
    event = factories.make_event()
    registration = services.register(event.pk, [participant(1)], registered_by=None)[0]
    url = reverse("admin:events_registration_change", args=[registration.pk])
    page = office.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert (
        "organisation" in form.fields and "fee" not in form.fields and "status" not in form.fields
    )
    data = change_page_data(page)
    data.update(organisation=str(organisation.pk), fee="0", status="cancelled")
    assert office.post(url, data).status_code == 302
    registration.refresh_from_db()
    assert registration.organisation == organisation
    assert registration.fee == 10000 and registration.status == "registered"


def test_the_roster_exports_to_excel_with_the_sessions_attended(office, organisation):
    event = factories.make_event(capacity=5, sessions=2)
    came = services.register(
        event.pk,
        [participant(1, department="産学連携課")],
        registered_by=None,
        organisation=organisation,
        member=True,
    )[0]
    services.register(event.pk, [participant(2, affiliation="茨城大学")], registered_by=None)
    Seat.objects.filter(registration=came).update(attended_at=timezone.now())
    response = office.post(
        reverse("admin:events_registration_changelist"),
        {
            "action": "export_excel",
            "_selected_action": list(Registration.objects.values_list("pk", flat=True)),
        },
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Organisation",
        "Department",
        "Name",
        "Reading",
        "Email address",
        "Status",
        "Fee (yen)",
        "Sessions attended",
    ]
    by_email = {row[4]: row for row in rows[1:]}
    assert by_email["participant1@example.jp"] == [
        organisation.name,
        "産学連携課",
        "参加 1郎",
        "サンカ ロウ",
        "participant1@example.jp",
        "registered",
        5000,
        2,
    ]
    assert by_email["participant2@example.jp"][0] == "茨城大学"
    assert by_email["participant2@example.jp"][7] == 0
