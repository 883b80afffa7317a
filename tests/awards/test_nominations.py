"""Third-party nomination with the nominee's consent; merging duplicates; eligibility advice."""

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from awards import services
from awards.models import AuditEvent, EligibilityQuestion, Entry, Nomination
from tests import factories

pytestmark = pytest.mark.django_db


def nomination_post(edition, **extra):
    return {
        "track": edition.tracks.get(kind="programme").pk,
        "title": "地域金融と連携した創業支援",
        "organisation_name": "公益財団法人京都高度技術研究所",
        "prefecture": "26",
        "nominee_name": "京都 一郎",
        "nominee_email": "nominee@example.jp",
        "nominator_organisation": "北洋銀行",
        "reason": "創業支援の実績が大きいため。",
        **extra,
    }


@pytest.fixture
def nominee(db):
    user = factories.make_user("nominee@example.jp")
    return user


def nominate(client, edition, nominator, captured):
    client.force_login(nominator)
    with captured(execute=True):
        response = client.post(reverse("awards:nominate"), nomination_post(edition))
    assert response.status_code == 302
    return Nomination.objects.get()


def test_a_nomination_invites_the_nominee_who_consents_and_completes_the_entry(
    client, edition, member, nominee, smtp_server, django_capture_on_commit_callbacks
):
    nomination = nominate(client, edition, member, django_capture_on_commit_callbacks)
    entry = nomination.entry
    assert entry.status == Entry.Status.INVITED and entry.owner is None
    assert entry.nomination == Entry.Nomination.THIRD_PARTY
    assert nomination.nominator == member

    (invite,) = smtp_server.messages()
    assert invite["To"] == "nominee@example.jp"
    consent_url = reverse("awards:consent", args=[nomination.token])
    assert consent_url in invite.get_content() and "北洋銀行" in invite.get_content()

    client.force_login(nominee)
    page = client.get(consent_url)
    assert page.status_code == 200
    nomination.refresh_from_db()
    assert nomination.consented_at is None  # a GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(consent_url, {"consent": ""})
    assert response["Location"] == reverse("awards:entry", args=[entry.pk])

    entry.refresh_from_db()
    nomination.refresh_from_db()
    assert entry.owner == nominee and entry.status == Entry.Status.DRAFT
    assert nomination.consented_by == nominee and nomination.consented_at
    assert entry.nominations.get().nominator == member  # the entry records both
    told = smtp_server.messages()[-1]
    assert told["To"] == member.email

    # The nominee now completes it; the nominator cannot edit it.
    assert client.get(reverse("awards:entry", args=[entry.pk])).status_code == 200
    client.force_login(member)
    assert client.get(reverse("awards:entry", args=[entry.pk])).status_code == 404
    assert entry in client.get(reverse("awards:index")).context["entries"]
    # A second answer is refused.
    with pytest.raises(ValidationError):
        services.consent(nomination.token, nominee)


def test_declining_withdraws_the_entry(
    client, edition, member, nominee, smtp_server, django_capture_on_commit_callbacks
):
    nomination = nominate(client, edition, member, django_capture_on_commit_callbacks)
    client.force_login(nominee)
    client.post(reverse("awards:consent", args=[nomination.token]), {"decline": ""})
    nomination.refresh_from_db()
    assert nomination.declined_at and nomination.entry.status == Entry.Status.WITHDRAWN


def test_nominations_close_at_their_earlier_deadline(client, edition, member):
    edition.nomination_deadline = timezone.now() - timedelta(minutes=1)
    edition.save()
    assert edition.accepts_entries()  # self-nominations are still open
    client.force_login(member)
    response = client.post(reverse("awards:nominate"), nomination_post(edition))
    assert response.status_code == 302 and not Nomination.objects.exists()
    with pytest.raises(ValidationError):
        services.nominate(
            edition.tracks.first(),
            member,
            {"title": "x", "organisation_name": "y", "prefecture": 1},
            {"nominee_name": "a", "nominee_email": "a@example.jp", "reason": "r",
             "nominator_organisation": "z"},
        )  # fmt: skip


def test_consent_after_the_entry_deadline_is_refused(
    client, edition, member, nominee, django_capture_on_commit_callbacks
):
    nomination = nominate(client, edition, member, django_capture_on_commit_callbacks)
    edition.nomination_deadline = edition.entry_deadline = timezone.now()
    edition.save()
    client.force_login(nominee)
    client.post(reverse("awards:consent", args=[nomination.token]), {"consent": ""})
    nomination.refresh_from_db()
    assert nomination.consented_at is None and nomination.entry.owner is None


def test_merging_two_entries_for_the_same_programme(edition, applicant, member, secretariat):
    own = factories.make_entry(edition, applicant, title="創業支援")
    nominated = factories.make_entry(edition, None, title="創業支援（他薦）")
    Nomination.objects.create(
        entry=nominated,
        nominator=member,
        nominator_organisation="北洋銀行",
        reason="実績",
        nominee_name="x",
        nominee_email="x@example.jp",
    )
    EligibilityQuestion.objects.create(entry=nominated, question="対象ですか", asked_by=member)

    kept = services.merge_entries(own.pk, nominated.pk, secretariat)

    nominated.refresh_from_db()
    assert kept == own and nominated.status == Entry.Status.MERGED
    assert nominated.merged_into == own
    assert own.nominations.get().nominator == member and own.owner == applicant
    assert own.questions.count() == 1
    assert list(Entry.objects.active()) == [own]
    assert AuditEvent.objects.get(action="entries_merged").entry == own
    with pytest.raises(ValidationError):
        services.merge_entries(own.pk, nominated.pk, secretariat)
    with pytest.raises(ValidationError):
        services.merge_entries(own.pk, own.pk, secretariat)


def test_eligibility_question_and_answer_are_kept_with_the_draft(
    client, edition, applicant, secretariat_with_mfa, smtp_server, settings,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    entry = factories.make_entry(edition, applicant, status="draft")
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("awards:entry_question", args=[entry.pk]),
            {"question": "自治体の事業でも応募できますか。"},
        )
    question = EligibilityQuestion.objects.get(entry=entry)
    (asked,) = smtp_server.messages()
    assert asked["To"].addresses[0].addr_spec == parseaddr(settings.SERVER_EMAIL)[1]
    assert "自治体の事業でも応募できますか。" in asked.get_content()

    client.force_login(secretariat_with_mfa)
    change = reverse("admin:awards_entry_change", args=[entry.pk])
    form = client.get(change).context["adminform"].form
    data = {
        **{k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)},
        "prefecture": entry.prefecture,
        "nominations-TOTAL_FORMS": 0, "nominations-INITIAL_FORMS": 0,
        "attachments-TOTAL_FORMS": 0, "attachments-INITIAL_FORMS": 0,
        "questions-TOTAL_FORMS": 1, "questions-INITIAL_FORMS": 1,
        "questions-0-id": question.pk, "questions-0-entry": entry.pk,
        "questions-0-answer": "はい、応募できます。",
    }  # fmt: skip
    data["sections"] = '{"background": "x"}'
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    question.refresh_from_db()
    assert (
        question.answer == "はい、応募できます。" and question.answered_by == secretariat_with_mfa
    )
    answered = smtp_server.messages()[-1]
    assert answered["To"] == applicant.email and "はい、応募できます。" in answered.get_content()

    client.force_login(applicant)
    page = client.get(reverse("awards:entry", args=[entry.pk]))
    assert "はい、応募できます。" in page.content.decode()
