"""The assembly's pages: each role against each view, the voter's journey, the secretariat's
live view and corrections, secrecy on every page, and query budgets."""

import re

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils.translation import gettext, pgettext

from assemblies import services
from assemblies.models import AgendaAttachment, AuditEvent, Ballot, Participation, VoterReminder
from tests import factories

pytestmark = pytest.mark.django_db

LOGIN = "login"


@pytest.fixture
def setting(organisation, member, other_organisation, outsider):
    """Member's organisation (3 votes) and another one (2 votes) on the roll; `member` is a
    contact but not the designated voter, `voter` is."""
    from assemblies.models import RollEntry

    assembly, entries, voters, items = factories.voting_assembly({"C財団": 1})
    own = RollEntry.objects.create(assembly=assembly, organisation=organisation, votes=3)
    RollEntry.objects.create(assembly=assembly, organisation=other_organisation, votes=2)
    voter = factories.make_voter(organisation, "voter@example.jp")
    document = AgendaAttachment.objects.create(
        item=items["ordinary"], title="事業計画書.pdf", file=ContentFile(b"%PDF-1.4", "x.pdf")
    )
    return {
        "assembly": assembly,
        "own": own,
        "voter": voter,
        "items": items,
        "document": document,
        "stranger": factories.make_voter(factories.make_organisation("E財団")),  # not on the roll
        "colleague": voters["C財団"],
        "colleague_entry": entries["C財団"],
    }


def _requests(setting):
    """(name, method, url, data) in an order that leaves the close for last."""
    pk, items = setting["assembly"].pk, setting["items"]
    own, ordinary = setting["own"].pk, items["ordinary"].pk
    return [
        ("index", "get", reverse("assemblies:index"), None),
        ("detail", "get", reverse("assemblies:detail", args=[pk]), None),
        ("attachment", "get", reverse("assemblies:attachment", args=[setting["document"].pk]),
         None),
        ("vote", "post", reverse("assemblies:vote", args=[pk]),
         {f"item_{ordinary}": "for", "confirm_unmarked": "1"}),
        ("proxy", "post", reverse("assemblies:proxy", args=[pk]), {"holder": "chair"}),
        ("withdraw", "post", reverse("assemblies:withdraw", args=[pk]), {}),
        ("results", "get", reverse("assemblies:results", args=[pk]), None),
        ("live", "get", reverse("assemblies:live", args=[pk]), None),
        ("roll", "get", reverse("assemblies:roll", args=[pk]), None),
        ("entry", "get", reverse("assemblies:entry", args=[pk, own]), None),
        ("attend", "post", reverse("assemblies:attend", args=[pk, own]), {}),
        ("in_person", "post", reverse("assemblies:in_person_vote", args=[pk, own]),
         {f"item_{ordinary}": "against", "confirm_unmarked": "1"}),
        ("correct", "post", reverse("assemblies:entry", args=[pk, own]),
         {"votes": 4, "eligible": "on", "counts_for_headcount": "on", "reason": "届出の反映"}),
        ("chair", "post", reverse("assemblies:chair", args=[pk]), {f"item_{ordinary}": "for"}),
        ("remind", "post", reverse("assemblies:remind", args=[pk]), {}),
        ("minutes", "get", reverse("assemblies:minutes", args=[pk, "pdf"]), None),
        ("open", "post", reverse("assemblies:open", args=[pk]), {}),
        ("close", "post", reverse("assemblies:close", args=[pk]), {}),
    ]  # fmt: skip


# 302 on a POST: done, or refused by the service with a message (see the journey tests).
MATRIX = {
    # index detail attachment vote proxy withdraw results live roll entry attend in-person
    # correct chair remind minutes open close
    "anonymous": [LOGIN] * 18,
    "applicant": [403] * 18,
    "judge": [403] * 18,
    "member": [200, 200, 200, 403, 403, 403, 404, *[403] * 11],
    "voter": [200, 200, 200, 302, 302, 302, 404, *[403] * 11],
    "stranger": [200, 200, 200, 404, 404, 404, 404, *[403] * 11],
    # (minutes: 302, as a secret ballot's minutes wait for the close)
    "secretariat_with_mfa": [200, 200, 200, 403, 403, 403, 200, 200, 200, 200, 302, 302, 302,
                             302, 302, 302, 302, 302],
}  # fmt: skip


@pytest.mark.parametrize("role", MATRIX)
def test_each_role_against_each_assembly_view(client, request, setting, role):
    """Only the designated voter votes or gives a proxy, and only for its organisation;
    only the secretariat opens, closes, corrects and records."""
    if role in ("voter", "stranger"):
        client.force_login(setting[role])
    elif role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for (name, method, url, data), expected in zip(_requests(setting), MATRIX[role], strict=True):
        response = client.get(url) if method == "get" else client.post(url, data)
        if expected == LOGIN:
            assert response.status_code == 302, name
            assert response["Location"].startswith(reverse("account_login")), name
        else:
            assert response.status_code == expected, name
    touched = AuditEvent.objects.exclude(action="ballot_cast").filter(entry=setting["own"])
    if role not in ("secretariat_with_mfa", "voter"):
        assert not Ballot.objects.exists() and not touched.exists()


def test_the_voter_votes_changes_and_gives_no_proxy_after_voting(client, setting):
    pk, items = setting["assembly"].pk, setting["items"]
    client.force_login(setting["voter"])
    page = client.get(reverse("assemblies:detail", args=[pk])).content.decode()
    assert "第1号議案 事業計画" in page and "事業計画書.pdf" in page
    url = reverse("assemblies:vote", args=[pk])
    client.post(
        url, {f"item_{items['ordinary'].pk}": "for", f"item_{items['special'].pk}": "against"}
    )
    client.post(url, {f"item_{items['ordinary'].pk}": "abstain"})
    assert dict(Ballot.objects.values_list("item__order", "choice")) == {
        1: "abstain",
        2: "against",
    }
    response = client.post(
        reverse("assemblies:proxy", args=[pk]), {"holder": "chair"}, follow=True
    )
    assert _messages(response)[-1] == gettext(
        "Your organisation takes part already (online or in person): it cannot also give a proxy."
    )
    empty = client.post(url, {}, follow=True)
    assert _messages(empty) == [gettext("Choose for, against or abstain on at least one item.")]


def _messages(response) -> list[str]:
    """The messages shown on the page (the request rendered them in Japanese)."""
    return [str(message) for message in response.context["messages"]]


def test_a_proxy_to_another_member_from_the_page(client, setting):
    pk = setting["assembly"].pk
    client.force_login(setting["voter"])
    holder = setting["colleague_entry"]
    client.post(reverse("assemblies:proxy", args=[pk]), {"holder": str(holder.pk)})
    participation = Participation.objects.get(entry=setting["own"])
    assert (participation.mode, participation.proxy_to) == ("proxy_member", holder)
    client.post(reverse("assemblies:withdraw", args=[pk]))
    assert not Participation.objects.filter(entry=setting["own"]).exists()


@pytest.mark.parametrize("secret", [True, False])
def test_secret_ballots_are_shown_to_nobody(client, setting, secretariat_with_mfa, secret):
    assembly, items = setting["assembly"], setting["items"]
    assembly.secret_ballot = secret
    assembly.save()
    own = setting["own"]
    services.cast(own.pk, {items["ordinary"].pk: "against"}, setting["voter"])
    client.force_login(secretariat_with_mfa)
    client.post(reverse("assemblies:attend", args=[assembly.pk, own.pk]))  # and in person
    client.force_login(setting["voter"])
    page = client.get(reverse("assemblies:detail", args=[assembly.pk])).content.decode()
    assert (gettext("recorded (secret ballot)") in page) is secret
    assert _shows_against(page) is not secret
    client.force_login(secretariat_with_mfa)
    for url in [
        reverse("assemblies:entry", args=[assembly.pk, own.pk]),
        reverse("assemblies:live", args=[assembly.pk]),
        reverse("assemblies:roll", args=[assembly.pk]),
        reverse("admin:assemblies_auditevent_changelist"),
        reverse("admin:assemblies_rollentry_changelist"),
    ]:
        body = client.get(url).content.decode()
        assert not secret or (not _shows_against(body) and '"choice"' not in body), url


def _shows_against(page: str) -> bool:
    """Whether the page shows the vote "against": a pre-checked radio, or the recorded vote."""
    checked = re.search(r'<input[^>]*value="against"[^>]*checked', page)
    return bool(checked) or f"<strong>{gettext('against')}</strong>" in page


def test_members_see_the_results_after_the_close(client, setting, secretariat_with_mfa):
    assembly, items = setting["assembly"], setting["items"]
    services.cast(setting["own"].pk, {items["ordinary"].pk: "for"}, setting["voter"])
    services.cast(
        setting["colleague_entry"].pk, {items["ordinary"].pk: "for"}, setting["colleague"]
    )
    url = reverse("assemblies:results", args=[assembly.pk])  # 4 of 6 votes present: quorum
    client.force_login(setting["stranger"])
    assert client.get(url).status_code == 404
    services.close_voting(assembly.pk, secretariat_with_mfa)
    body = client.get(url).content.decode()
    assert pgettext("resolution", "carried") in body and gettext("Quorum reached") in body


def test_the_secretariat_corrects_records_attendance_and_sends_reminders(
    client, setting, secretariat_with_mfa, django_capture_on_commit_callbacks
):
    pk, own = setting["assembly"].pk, setting["own"]
    client.force_login(secretariat_with_mfa)
    entry_url = reverse("assemblies:entry", args=[pk, own.pk])
    refused = client.post(entry_url, {"votes": 5, "reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    client.post(entry_url, {"votes": 5, "eligible": "on", "reason": "口数訂正"})
    own.refresh_from_db()
    assert (own.votes, own.counts_for_headcount, own.note) == (5, False, "口数訂正")
    client.post(reverse("assemblies:attend", args=[pk, own.pk]))
    item = setting["items"]["special"].pk
    client.post(
        reverse("assemblies:in_person_vote", args=[pk, own.pk]),
        {f"item_{item}": "for", "confirm_unmarked": "1"},
    )
    assert Ballot.objects.get(voter=own).cast_by == secretariat_with_mfa
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assemblies:remind", args=[pk]))
        client.post(reverse("assemblies:remind", args=[pk]))  # a second click mails nobody twice
    # The other organisation and C財団 have not taken part; C財団's voter is reminded, the
    # other has no contact with an address in a role, so nobody there.
    assert VoterReminder.objects.count() == 1
    live = client.get(reverse("assemblies:live", args=[pk])).content.decode()
    assert "北陸" in live and "1 / 3" in live


@pytest.mark.parametrize("size", [5, 150])
def test_assembly_pages_within_budget(
    client, secretariat_with_mfa, size, django_assert_max_num_queries
):
    from assemblies.models import RollEntry

    assembly, entries, voters, items = factories.voting_assembly({"A": 2}, secret_ballot=False)
    bulk = RollEntry.objects.bulk_create(
        RollEntry(assembly=assembly, organisation=o, votes=2)
        for o in factories.bulk_organisations(size)
    )
    Participation.objects.bulk_create(
        Participation(entry=e, mode="proxy_member", proxy_to=entries["A"]) for e in bulk[::2]
    )
    services.cast(entries["A"].pk, {items["ordinary"].pk: "for"}, voters["A"])
    pk = assembly.pk
    client.force_login(secretariat_with_mfa)
    for url in [
        reverse("assemblies:index"),
        reverse("assemblies:detail", args=[pk]),
        reverse("assemblies:results", args=[pk]),
        reverse("assemblies:live", args=[pk]),
        reverse("assemblies:roll", args=[pk]),
        reverse("assemblies:entry", args=[pk, bulk[0].pk]),
        reverse("assemblies:minutes", args=[pk, "xlsx"]),
    ]:
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200, url
    client.force_login(voters["A"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("assemblies:detail", args=[pk])).status_code == 200


def test_the_dashboard_lists_assemblies_awaiting_the_organisations_vote(client, setting):
    client.force_login(setting["voter"])
    dashboard = reverse("portal:dashboard")
    assert setting["assembly"].get_absolute_url() in client.get(dashboard).content.decode()
    item = setting["items"]["ordinary"].pk
    client.post(
        reverse("assemblies:vote", args=[setting["assembly"].pk]),
        {f"item_{item}": "for", "confirm_unmarked": "1"},
    )
    assert setting["assembly"].get_absolute_url() not in client.get(dashboard).content.decode()


def test_the_dashboard_follows_the_voting_window_opening_and_closing(organisation, secretariat):
    """Opening and closing the vote show at once, as do the voting window's ends."""
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from assemblies.models import RollEntry
    from home.selectors import member_dashboard

    def awaited(at=None) -> list:
        with mock.patch("django.utils.timezone.now", return_value=at or timezone.now()):
            return member_dashboard(organisation.pk, 2026)["assemblies"]

    assembly, *_ = factories.voting_assembly({"C財団": 1}, opened_at=None)
    RollEntry.objects.create(assembly=assembly, organisation=organisation, votes=3)
    assert awaited() == []  # not opened
    services.open_voting(assembly.pk, secretariat)
    assert awaited() == [assembly]
    assert awaited(assembly.opens_at - timedelta(seconds=1)) == []
    assert awaited(assembly.closes_at) == []
    services.close_voting(assembly.pk, secretariat)
    assert awaited() == []


def test_reminders_reach_the_designated_voters_over_smtp(
    setting, smtp_server, secretariat, django_capture_on_commit_callbacks
):
    """The voters of ISICO and C財団 are reminded; ASTEM has no contact in a role."""
    from assemblies import mail

    assembly = setting["assembly"]
    for expected in (2, 0):  # the second run finds them reminded within 12 hours
        with django_capture_on_commit_callbacks(execute=True):
            assert mail.send_reminders(assembly.pk, secretariat) == expected
    messages = {message["To"]: message for message in smtp_server.messages()}
    assert set(messages) == {setting["voter"].email, setting["colleague"].email}
    message = messages[setting["colleague"].email]
    assert (
        message["Subject"].startswith("【イノベーションネット】")
        and assembly.title in message["Subject"]
    )
    body = message.get_body().get_content()
    assert f"/assembly/{assembly.pk}/" in body and "C財団" in body


def test_the_agenda_is_fixed_in_the_admin_once_the_vote_opens(
    client, setting, secretariat_with_mfa
):
    item = setting["items"]["ordinary"]
    client.force_login(secretariat_with_mfa)
    page = client.get(reverse("admin:assemblies_agendaitem_change", args=[item.pk]))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    client.post(
        reverse("admin:assemblies_agendaitem_change", args=[item.pk]),
        {
            "assembly": item.assembly_id,
            "order": 1,
            "title": "差し替え",
            "threshold": item.threshold_id,
        },
    )
    item.refresh_from_db()
    assert item.title == "第1号議案 事業計画"
    assembly = client.get(reverse("admin:assemblies_assembly_change", args=[item.assembly_id]))
    assert assembly.status_code == 200


def test_a_secret_ballots_count_waits_for_the_close(client, setting, secretariat_with_mfa):
    """Watching the running count after each vote would tell who voted what: with a secret
    ballot the secretariat sees turnout and quorum only, and the minutes after the close."""
    assembly, items = setting["assembly"], setting["items"]
    services.cast(setting["own"].pk, {items["ordinary"].pk: "against"}, setting["voter"])
    services.record_chair_votes(assembly.pk, {items["ordinary"].pk: "for"}, secretariat_with_mfa)
    client.force_login(secretariat_with_mfa)
    hidden = gettext("Results by item")
    for name in ("assemblies:live", "assemblies:results"):
        body = client.get(reverse(name, args=[assembly.pk])).content.decode()
        assert gettext("Quorum not reached") in body and hidden not in body, name
    live = client.get(reverse("assemblies:live", args=[assembly.pk])).content.decode()
    assert not re.search(r'<input[^>]*value="for"[^>]*checked', live)  # the chair's vote
    minutes = reverse("assemblies:minutes", args=[assembly.pk, "xlsx"])
    assert client.get(minutes).status_code == 302
    assert AuditEvent.objects.get(action="chair_vote").detail == {}
    admin_page = reverse("admin:assemblies_agendaitem_change", args=[items["ordinary"].pk])
    assert "chair_choice" not in client.get(admin_page).content.decode()
    services.close_voting(assembly.pk, secretariat_with_mfa)
    assert hidden in client.get(reverse("assemblies:results", args=[assembly.pk])).content.decode()
    assert client.get(minutes).status_code == 200


def test_a_threshold_is_fixed_once_an_assembly_voted_under_it(
    client, setting, secretariat_with_mfa
):
    from assemblies.models import Threshold

    used = setting["items"]["ordinary"].threshold
    spare = Threshold.objects.create(name="予備", votes_numerator=1, votes_denominator=2)
    client.force_login(secretariat_with_mfa)
    for threshold, editable in [(used, False), (spare, True)]:
        url = reverse("admin:assemblies_threshold_change", args=[threshold.pk])
        client.post(url, {"name": threshold.name, "votes_numerator": 2, "votes_denominator": 3})
        threshold.refresh_from_db()
        assert (threshold.votes_numerator == 2) is editable


def _unmarked_warning(page: str) -> str:
    """The warning a ballot form shows about the items left unmarked."""
    start = page.index(gettext("These items are not marked:"))
    return page[start : page.index("</div>", start)]


def test_a_ballot_leaving_items_unmarked_asks_first_naming_them(client, setting):
    pk, items = setting["assembly"].pk, setting["items"]
    ordinary, special = items["ordinary"], items["special"]
    client.force_login(setting["voter"])
    url = reverse("assemblies:vote", args=[pk])

    response = client.post(url, {f"item_{ordinary.pk}": "for"})
    assert response.status_code == 200 and not Ballot.objects.exists()
    page = response.content.decode()
    assert special.title in _unmarked_warning(page)
    assert ordinary.title not in _unmarked_warning(page)
    assert re.search(rf'value="for"[^>]*name="item_{ordinary.pk}"[^>]*checked', page) or (
        re.search(rf'name="item_{ordinary.pk}"[^>]*value="for"[^>]*checked', page)
    )  # the choice made stays marked
    assert 'name="confirm_unmarked"' in page

    # Confirmed: the ballot is cast as it is; the item left unmarked has no vote.
    response = client.post(url, {f"item_{ordinary.pk}": "for", "confirm_unmarked": "1"})
    assert response.status_code == 302
    assert dict(Ballot.objects.values_list("item", "choice")) == {ordinary.pk: "for"}
    # An item already voted is not asked about again when left blank (a secret ballot
    # shows no recorded choice to pre-mark): changing one item goes through at once.
    response = client.post(url, {f"item_{special.pk}": "against"})
    assert response.status_code == 302
    assert dict(Ballot.objects.values_list("item", "choice")) == {
        ordinary.pk: "for",
        special.pk: "against",
    }


def test_the_secretariat_is_asked_too_before_recording_an_attendees_partial_ballot(
    client, setting, secretariat_with_mfa
):
    assembly, items, own = setting["assembly"], setting["items"], setting["own"]
    client.force_login(secretariat_with_mfa)
    client.post(reverse("assemblies:attend", args=[assembly.pk, own.pk]))
    url = reverse("assemblies:in_person_vote", args=[assembly.pk, own.pk])
    response = client.post(url, {f"item_{items['ordinary'].pk}": "against"})
    assert response.status_code == 200 and not Ballot.objects.exists()
    assert items["special"].title in _unmarked_warning(response.content.decode())
    client.post(url, {f"item_{items['ordinary'].pk}": "against", "confirm_unmarked": "1"})
    assert list(Ballot.objects.values_list("choice", flat=True)) == ["against"]
