"""The events' PDFs: the sign-in sheet in the order of the institutions' readings, and the
numbered certificate of completion, stored once and served only to whom it concerns."""

import hashlib
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from events import attendance, documents, services
from events.models import Registration, Seat
from tests import factories
from tests.factories import participant
from tests.pdftext import text_of, text_runs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def register(event, n, organisation=None, *, registered_by=None, **fields):
    return services.register(
        event.pk,
        [participant(n, **fields)],
        registered_by=registered_by,
        organisation=organisation,
        member=organisation is not None,
    )[0]


# --- The sign-in sheet ----------------------------------------------------------------------


def test_the_sign_in_sheet_is_sorted_by_institution_reading_then_name_reading():
    # Readings decide, not the names: 公益財団法人 is left out of the reading's sort key.
    akita = factories.make_organisation("公益財団法人あきた企業活性化センター", name_kana="アキタ")
    yamagata = factories.make_organisation("山形県産業技術振興機構", name_kana="ヤマガタ")
    event = factories.make_event(capacity=10)
    register(event, 1, yamagata, family_name="佐藤", given_name="一", family_name_kana="サトウ")
    register(event, 2, akita, family_name="渡辺", given_name="二", family_name_kana="ワタナベ")
    register(event, 3, akita, family_name="伊藤", given_name="三", family_name_kana="イトウ")
    # A non-member: by the reading typed with the affiliation, folded (ｲﾊﾞﾗｷ sorts as イバラキ).
    register(
        event,
        4,
        family_name="鈴木",
        given_name="四",
        family_name_kana="スズキ",
        affiliation="茨城大学",
        affiliation_kana="ｲﾊﾞﾗｷﾀﾞｲｶﾞｸ",
    )
    services.cancel(register(event, 5, akita, family_name="取消", given_name="五").pk)

    pdf = documents.render_sign_in_sheet(event)
    text = text_of(pdf)
    assert "受付名簿" in text and "署名欄" in text and "所属" in text
    assert "取消" not in text
    assert "伊藤三イトウロウ" in text  # the reading under the name
    order = [text.index(name) for name in ("伊藤三", "渡辺二", "鈴木四", "佐藤一")]
    assert order == sorted(order), text
    runs = [run.text for run in text_runs(pdf)]
    numbers = [runs.index(str(n)) for n in (1, 2, 3, 4)]
    assert numbers == sorted(numbers)


def test_the_sign_in_sheet_of_one_session_lists_its_seats_only(client, secretariat_with_mfa):
    event = factories.make_event(capacity=10, sessions=2)
    first, second = event.sessions.order_by("starts_at")
    services.register(
        event.pk,
        [participant(1, family_name="初日", given_name="だけ")],
        registered_by=None,
        session_ids=[first.pk],
    )
    register(event, 2, family_name="両日", given_name="とも")
    client.force_login(secretariat_with_mfa)
    url = reverse("events:sign_in_sheet", args=[event.pk])
    response = client.get(url, {"session": second.pk})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = text_of(response.content)
    assert "両日とも" in text and "初日だけ" not in text
    assert "初日だけ" in text_of(client.get(url).content)
    other = factories.make_event()
    assert client.get(url, {"session": other.sessions.get().pk}).status_code == 404


# --- Certificates ---------------------------------------------------------------------------


@pytest.fixture
def finished_training(organisation, member):
    """A two-day training that ended yesterday: one participant came to both days, one to
    the first only."""
    factories.make_issuer()
    event = factories.make_event(capacity=5, sessions=2, title="コーディネーター養成研修")
    complete = register(
        event,
        1,
        organisation,
        registered_by=member,
        family_name="山田",
        given_name="花子",
    )
    partial = register(event, 2, organisation, registered_by=member)
    sessions = list(event.sessions.order_by("starts_at"))
    shift = timezone.now() - timedelta(days=3) - sessions[0].starts_at
    for session in sessions:
        session.starts_at += shift
        session.ends_at += shift
        session.save()
    Seat.objects.filter(registration=complete).update(attended_at=timezone.now())
    Seat.objects.filter(registration=partial, session=sessions[0]).update(
        attended_at=timezone.now()
    )
    assert attendance.issue_certificates(event.pk) == 1
    complete.refresh_from_db()
    partial.refresh_from_db()
    return event, complete, partial


def test_the_certificate_names_the_person_the_training_and_its_number(
    client, member, finished_training
):
    event, complete, _partial = finished_training
    client.force_login(member)
    response = client.get(reverse("events:certificate", args=[complete.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    text = text_of(pdf)
    year = timezone.localtime(event.sessions.last().ends_at).year
    assert "修了証" in text
    assert "山田花子様" in text
    assert "コーディネーター養成研修" in text
    assert f"番号{year}-0001" in text
    assert "全国イノベーション推進機関ネットワーク" in text
    assert "期間" in text and "研修名" in text


def test_the_certificate_is_rendered_once_and_never_again(client, member, finished_training):
    _event, complete, _partial = finished_training
    client.force_login(member)
    url = reverse("events:certificate", args=[complete.pk])
    first = b"".join(client.get(url).streaming_content)
    complete.refresh_from_db()
    assert complete.certificate_sha256 == hashlib.sha256(first).hexdigest()
    stored = complete.certificate_pdf.name
    # The issuer's name changes later: the issued certificate stays as it was.
    from dues.models import Issuer

    Issuer.objects.update(name="別の名前")
    second = b"".join(client.get(url).streaming_content)
    complete.refresh_from_db()
    assert second == first
    assert complete.certificate_pdf.name == stored
    assert complete.certificate_sha256 == hashlib.sha256(first).hexdigest()


def test_no_certificate_without_a_number(client, member, finished_training):
    _event, _complete, partial = finished_training
    assert partial.certificate_number is None
    client.force_login(member)
    assert client.get(reverse("events:certificate", args=[partial.pk])).status_code == 404
    assert not Registration.objects.get(pk=partial.pk).certificate_pdf


def test_who_may_download_a_certificate(
    client, finished_training, outsider, applicant, staff_without_permissions
):
    from django.contrib.auth.models import Permission

    _event, complete, _partial = finished_training
    url = reverse("events:certificate", args=[complete.pk])
    for user in (outsider, applicant, staff_without_permissions):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    # A contact of the institution who did not register them, and staff who may view
    # registrations.
    colleague = factories.make_user("colleague@example.jp")
    factories.make_person(complete.organisation, user=colleague, email="colleague@example.jp")
    staff_without_permissions.user_permissions.add(
        Permission.objects.get(codename="view_registration")
    )
    for user in (colleague, staff_without_permissions):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    # The participant themself, with an account of their own and no institution.
    participant_user = factories.make_user("participant1@example.jp")
    Registration.objects.filter(pk=complete.pk).update(user=participant_user)
    client.force_login(participant_user)
    assert client.get(url).status_code == 200
