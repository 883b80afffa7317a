"""Decisions: one prize per entry unless overridden, secrecy until the announcement, and
the result notifications through the mail engine."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from awards import decisions
from awards.models import AuditEvent, Decision, Notification
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def prizes(judging_edition):
    return {prize.name: prize for prize in judging_edition.prizes.all()}


def test_one_entry_wins_one_prize_unless_the_committee_overrides(
    judging_edition, prizes, secretariat
):
    entry = factories.make_entry(judging_edition)
    decisions.decide(prizes["経済産業大臣賞"], entry, secretariat, reason="仕組みの独自性")
    with pytest.raises(ValidationError) as refused:
        decisions.decide(prizes["会長賞"], entry, secretariat, reason="波及効果")
    assert "override_reason" in refused.value.message_dict
    decisions.decide(
        prizes["会長賞"], entry, secretariat, reason="波及効果", override="委員会の特別の判断"
    )
    assert entry.decisions.count() == 2
    assert AuditEvent.objects.filter(action="decided", entry=entry).count() == 2


def test_a_prize_has_its_number_of_winners_and_a_reason_is_required(
    judging_edition, prizes, secretariat
):
    first, second = factories.make_entry(judging_edition), factories.make_entry(judging_edition)
    with pytest.raises(ValidationError) as refused:
        decisions.decide(prizes["文部科学大臣賞"], first, secretariat, reason=" ")
    assert "reason" in refused.value.message_dict
    decisions.decide(prizes["文部科学大臣賞"], first, secretariat, reason="産学官連携")
    with pytest.raises(ValidationError):
        decisions.decide(prizes["文部科学大臣賞"], second, secretariat, reason="産学官連携")
    draft = factories.make_entry(judging_edition, status="draft")
    with pytest.raises(ValidationError):
        decisions.decide(prizes["優秀賞"], draft, secretariat, reason="x")
    assert Decision.objects.count() == 1


def test_the_admin_refuses_a_second_prize_with_the_reason_next_to_the_field(
    client, judging_edition, prizes, secretariat_with_mfa
):
    entry = factories.make_entry(judging_edition)
    decisions.decide(prizes["経済産業大臣賞"], entry, secretariat_with_mfa, reason="独自性")
    client.force_login(secretariat_with_mfa)
    response = client.post(
        reverse("admin:awards_decision_add"),
        {"prize": prizes["会長賞"].pk, "entry": entry.pk, "reason": "波及効果"},
    )
    assert response.status_code == 200
    assert "override_reason" in response.context["adminform"].form.errors
    assert Decision.objects.count() == 1


def test_decisions_stay_secret_until_the_announcement(
    client, judging_edition, prizes, applicant, secretariat
):
    entry = factories.make_entry(judging_edition, applicant, title="秘密の受賞")
    decision = decisions.decide(prizes["経済産業大臣賞"], entry, secretariat, reason="独自性")

    client.force_login(applicant)
    assert "秘密の受賞" not in client.get(reverse("awards:winners")).content.decode()
    assert client.get(reverse("awards:winner", args=[decision.pk])).status_code == 404
    page = client.get(reverse("awards:entry", args=[entry.pk]))
    assert list(page.context["decisions"]) == []
    assert "経済産業大臣賞" not in page.content.decode()

    assert decisions.announce(judging_edition.pk, secretariat)
    assert not decisions.announce(judging_edition.pk, secretariat)  # once
    client.logout()
    assert "秘密の受賞" in client.get(reverse("awards:winners")).content.decode()
    assert client.get(reverse("awards:winner", args=[decision.pk])).status_code == 200
    client.force_login(applicant)
    assert list(client.get(reverse("awards:entry", args=[entry.pk])).context["decisions"]) == [
        decision
    ]


def test_no_announcement_before_the_entry_deadline(edition, secretariat):
    assert not decisions.announce(edition.pk, secretariat)


def test_result_notifications_are_drafted_checked_and_sent_once(
    judging_edition, prizes, secretariat, smtp_server, django_capture_on_commit_callbacks
):
    winner = factories.make_entry(
        judging_edition, title="受賞プログラム", contact_email="win@example.jp"
    )
    factories.make_entry(judging_edition, title="次回に期待", contact_email="other@example.jp")
    factories.make_entry(judging_edition, status="draft", contact_email="draft@example.jp")
    decisions.decide(prizes["農林水産大臣賞"], winner, secretariat, reason="食品産業")

    texts = {n.outcome: n for n in decisions.prepare_notifications(judging_edition)}
    assert len(decisions.prepare_notifications(judging_edition)) == 2  # not drafted twice
    with pytest.raises(ValidationError):
        decisions.check_placeholders("{title} {amount}")
    decisions.check_placeholders(texts["winner"].body)

    with django_capture_on_commit_callbacks(execute=True):
        assert decisions.send_notification(texts["winner"].pk, secretariat) == 1
        assert decisions.send_notification(texts["other"].pk, secretariat) == 1
        assert decisions.send_notification(texts["winner"].pk, secretariat) == 0
    received = {m["To"]: m for m in smtp_server.messages()}
    assert set(received) == {"win@example.jp", "other@example.jp"}
    text = received["win@example.jp"].get_content()
    assert "受賞プログラム" in text and "・農林水産大臣賞" in text
    assert "農林水産大臣賞" not in received["other@example.jp"].get_content()
    assert Notification.objects.filter(mailing__isnull=False).count() == 2


@pytest.fixture
def three_years(judging_edition):
    """The judging edition and two more, each with its own 経済産業大臣賞."""
    return [judging_edition, factories.make_edition(2027), factories.make_edition(2028)]


def test_the_decision_form_offers_the_prizes_of_the_entrys_edition_only(
    client, three_years, secretariat_with_mfa
):
    judging_edition = three_years[0]
    entry = factories.make_entry(judging_edition)
    client.force_login(secretariat_with_mfa)
    add = reverse("admin:awards_decision_add")
    # The entry's admin page links to the decision form with the entry.
    entry_page = client.get(reverse("admin:awards_entry_change", args=[entry.pk]))
    assert f"{add}?entry={entry.pk}" in entry_page.content.decode()

    form = client.get(add, {"entry": entry.pk}).context["adminform"].form
    assert list(form.fields["prize"].queryset) == list(judging_edition.prizes.all())
    # Without an entry yet, each prize says its year: no three look-alike 経済産業大臣賞.
    form = client.get(add).context["adminform"].form
    labels = [label for _value, label in form.fields["prize"].choices]
    assert [label for label in labels if label.startswith("経済産業大臣賞")] == [
        "経済産業大臣賞 (2028)",
        "経済産業大臣賞 (2027)",
        "経済産業大臣賞 (2026)",
    ]
    # A posted entry limits the prizes too: another year's prize is not a valid choice.
    other_years = three_years[1].prizes.get(name="経済産業大臣賞")
    response = client.post(add, {"prize": other_years.pk, "entry": entry.pk, "reason": "独自性"})
    assert "prize" in response.context["adminform"].form.errors
    assert not Decision.objects.exists()


def test_admin_pickers_of_prizes_and_tracks_keep_to_the_edition(
    client, three_years, secretariat_with_mfa
):
    judging_edition, later, _latest = three_years
    stage = judging_edition.rounds.first()
    client.force_login(secretariat_with_mfa)

    page = client.get(reverse("admin:awards_round_change", args=[stage.pk]))
    [criteria] = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model.__name__ == "Criterion"
    ]
    assert set(criteria.forms[0].fields["prize"].queryset) == set(judging_edition.prizes.all())

    entry = factories.make_entry(judging_edition)
    page = client.get(reverse("admin:awards_entry_change", args=[entry.pk]))
    form = page.context["adminform"].form
    assert set(form.fields["track"].queryset) == set(judging_edition.tracks.all())
    form = client.get(reverse("admin:awards_entry_add")).context["adminform"].form
    assert f"{later.tracks.first().name} (2027)" in [
        label for _value, label in form.fields["track"].choices
    ]

    # A declared conflict pairs a judge and an entry of one edition.
    judge = factories.make_judge(later)
    response = client.post(
        reverse("admin:awards_conflict_add"),
        {"judge": judge.pk, "entry": entry.pk, "kind": "personal", "note": ""},
    )
    assert response.status_code == 200
    assert "entry" in response.context["adminform"].form.errors
