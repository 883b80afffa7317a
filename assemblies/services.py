"""Writes of the general assembly: the voter roll frozen at the record date, opening and
closing the vote, participation (online, in person, by proxy), ballots and corrections.
Each write locks the rows it decides on and leaves an audit event."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from members.fiscal import fiscal_year_of
from members.models import Membership, MembershipYear
from members.permissions import can, roles_of

from .models import (
    Assembly,
    AuditEvent,
    Ballot,
    Choice,
    Participation,
    RollEntry,
)
from .selectors import designated_voter

PROXIES = [Participation.Mode.PROXY_CHAIR, Participation.Mode.PROXY_MEMBER]


@transaction.atomic
def freeze_roll(assembly_id: int, user=None) -> int:
    """The roll from the membership years once the record date is over: the beat task
    `freeze_due_rolls` runs a few minutes after midnight, so units chosen or dues paid later
    never change it. Returns the number of entries; refuses a second time, and until the
    record date has ended."""
    assembly = Assembly.objects.select_for_update().get(pk=assembly_id)
    if assembly.roll_frozen_at is not None:
        raise ValidationError(_("The voter roll of this assembly is frozen already."))
    day = assembly.record_date
    if timezone.localdate() <= day:
        raise ValidationError(_("The voter roll can be frozen once the record date has ended."))
    fiscal_year = fiscal_year_of(day)
    members = Membership.objects.filter(joined_on__lte=day).filter(
        Q(left_on__isnull=True) | Q(left_on__gt=day)
    )
    years = MembershipYear.objects.filter(
        fiscal_year=fiscal_year,
        votes__gt=0,
        organisation__in=members.values("organisation_id"),
    )
    unpaid = set()
    if assembly.unpaid_loses_vote:
        unpaid = set(
            MembershipYear.objects.filter(
                fiscal_year=fiscal_year - 1, standing=MembershipYear.Standing.DUE
            ).values_list("organisation_id", flat=True)
        )
    entries = [
        RollEntry(
            assembly=assembly,
            organisation_id=year.organisation_id,
            votes=year.votes,
            eligible=year.organisation_id not in unpaid,
            counts_for_headcount=year.organisation_id not in unpaid,
            note=_("dues of FY%(year)d unpaid") % {"year": fiscal_year - 1}
            if year.organisation_id in unpaid
            else "",
        )
        for year in years.only("organisation_id", "votes")
    ]
    RollEntry.objects.bulk_create(entries)
    assembly.roll_frozen_at = timezone.now()
    assembly.save(update_fields=["roll_frozen_at"])
    _audit(assembly, user, "roll_frozen", entries=len(entries))
    return len(entries)


def freeze_due_rolls() -> int:
    """Freeze the roll of every assembly whose record date ended; returns how many."""
    due = Assembly.objects.filter(
        roll_frozen_at__isnull=True, record_date__lt=timezone.localdate()
    ).values_list("pk", flat=True)
    frozen = 0
    for pk in due:
        try:
            freeze_roll(pk)
        except ValidationError:  # frozen meanwhile by the secretariat
            continue
        frozen += 1
    return frozen


def _audit(assembly, user, action, *, entry=None, item_id=None, **detail):
    AuditEvent.objects.create(
        assembly=assembly, actor=user, action=action, entry=entry, item_id=item_id, detail=detail
    )


def _locked(assembly_id: int) -> Assembly:
    return Assembly.objects.select_for_update().get(pk=assembly_id)


def _assembly_of(entry_id: int) -> Assembly:
    """The entry's assembly under a shared row lock, taken before any roll entry lock.

    Any number of ballots and proxies hold it at once; closing the vote (FOR UPDATE) waits
    for them and every later one waits for the close and then sees it: nothing lands after
    the close."""
    assembly_id = RollEntry.objects.values_list("assembly_id", flat=True).get(pk=entry_id)
    table = Assembly._meta.db_table
    return Assembly.objects.raw(f"SELECT * FROM {table} WHERE id = %s FOR SHARE", [assembly_id])[0]


def _check_open(assembly: Assembly) -> None:
    if not assembly.is_open():
        raise ValidationError(_("Voting on this assembly is not open."))


def _lock_entries(assembly: Assembly, *entry_ids) -> dict[int, RollEntry]:
    """Rows locked in id order, so that two organisations naming each other take turns
    instead of both passing the chain check."""
    entries = (
        RollEntry.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(assembly=assembly, pk__in=entry_ids)
        .order_by("pk")
    )
    found = {entry.pk: entry for entry in entries}
    if set(entry_ids) - set(found):
        raise ValidationError(_("This organisation is not on the voter roll of this assembly."))
    return found


def _may_act_for(entry: RollEntry, user) -> None:
    """The designated voter acts for its organisation, nobody else does."""
    if not designated_voter(entry.organisation_id, user):
        raise ValidationError(_("Only your organisation's designated voter can do this."))


def _participation(entry: RollEntry) -> Participation | None:
    return Participation.objects.filter(entry=entry).first()


@transaction.atomic
def open_voting(assembly_id: int, user) -> None:
    assembly = _locked(assembly_id)
    if assembly.opened_at is not None:
        raise ValidationError(_("Voting on this assembly was opened already."))
    if assembly.roll_frozen_at is None:
        raise ValidationError(_("Freeze the voter roll before opening the vote."))
    if not assembly.items.exists():
        raise ValidationError(_("Add the agenda items before opening the vote."))
    assembly.opened_at = timezone.now()
    assembly.save(update_fields=["opened_at"])
    _audit(assembly, user, "opened")


@transaction.atomic
def close_voting(assembly_id: int, user) -> None:
    """From now on nothing changes: ballots, proxies, attendance and the roll are final."""
    assembly = _locked(assembly_id)
    if assembly.opened_at is None or assembly.closed_at is not None:
        raise ValidationError(_("Only an assembly whose vote is open can be closed."))
    chair_proxies = Participation.objects.filter(
        entry__assembly=assembly, entry__eligible=True, mode=Participation.Mode.PROXY_CHAIR
    )
    if chair_proxies.exists() and assembly.items.filter(chair_choice="").exists():
        raise ValidationError(
            _("Record the chair's vote on every item first: proxies were given to the chair.")
        )
    assembly.closed_at = timezone.now()
    assembly.save(update_fields=["closed_at"])
    _audit(assembly, user, "closed")


def _before_close(assembly: Assembly) -> None:
    if assembly.closed_at is not None:
        raise ValidationError(_("The vote is closed: nothing can change any more."))


@transaction.atomic
def cast(entry_id: int, choices: dict[int, str], user) -> int:
    """The organisation's votes on some items; a vote changes until the vote closes.

    The roll entry's row lock makes two contacts, or two tabs, take turns, and the unique
    (item, voter) constraint backs it. In-person votes are recorded by the secretariat.
    Returns how many ballots were cast or changed."""
    assembly = _assembly_of(entry_id)
    entry = RollEntry.objects.select_for_update().get(pk=entry_id)
    _check_open(assembly)
    participation = _participation(entry)
    in_person = participation is not None and participation.mode == Participation.Mode.IN_PERSON
    if not (in_person and can(roles_of(user), "assemblies.record_roll")):
        _may_act_for(entry, user)
    if not entry.eligible:
        raise ValidationError(_("Your organisation has no vote at this assembly."))
    if participation is not None and participation.mode in PROXIES:
        raise ValidationError(
            _("Your organisation has given a proxy: withdraw it first to vote yourself.")
        )
    items = set(assembly.items.values_list("pk", flat=True))
    if not set(choices) <= items or not set(choices.values()) <= set(Choice.values):
        raise ValidationError(_("Choose for, against or abstain on this assembly's items."))
    if participation is None:
        Participation.objects.create(entry=entry, mode=Participation.Mode.ONLINE, recorded_by=user)
    existing = {ballot.item_id: ballot for ballot in Ballot.objects.filter(voter=entry)}
    changed = 0
    for item_id, choice in sorted(choices.items()):
        ballot = existing.get(item_id)
        if ballot is not None and ballot.choice == choice:
            continue
        if ballot is None:
            Ballot.objects.create(item_id=item_id, voter=entry, choice=choice, cast_by=user)
        else:
            ballot.choice, ballot.cast_by = choice, user
            ballot.save(update_fields=["choice", "cast_by", "cast_at"])
        detail = {} if assembly.secret_ballot else {"choice": choice}
        action = "ballot_cast" if ballot is None else "ballot_changed"
        _audit(assembly, user, action, entry=entry, item_id=item_id, **detail)
        changed += 1
    return changed


@transaction.atomic
def give_proxy(entry_id: int, user, *, holder_id: int | None = None) -> Participation:
    """A proxy to the chair (holder None) or to another voting member; never to oneself,
    never passed on, and only by an organisation that has not voted itself."""
    assembly = _assembly_of(entry_id)
    if holder_id == entry_id:
        raise ValidationError(_("An organisation cannot give a proxy to itself."))
    entries = _lock_entries(assembly, *{entry_id, holder_id} - {None})
    entry = entries[entry_id]
    _check_open(assembly)
    _may_act_for(entry, user)
    if not entry.eligible:
        raise ValidationError(_("Your organisation has no vote at this assembly."))
    participation = _participation(entry)
    if participation is not None and participation.mode not in PROXIES:
        raise ValidationError(
            _(
                "Your organisation takes part already (online or in person): "
                "it cannot also give a proxy."
            )
        )
    if Participation.objects.filter(proxy_to=entry).exists():
        raise ValidationError(
            _("Other members gave your organisation their proxy: a proxy cannot be passed on.")
        )
    if holder_id is not None:
        holder = entries[holder_id]
        held = _participation(holder)
        if not holder.eligible:
            raise ValidationError(_("This member has no vote at this assembly."))
        if held is not None and held.mode in PROXIES:
            raise ValidationError(
                _("This member has given its own proxy: a proxy cannot be passed on.")
            )
    mode = Participation.Mode.PROXY_CHAIR if holder_id is None else Participation.Mode.PROXY_MEMBER
    participation, _created = Participation.objects.update_or_create(
        entry=entry, defaults={"mode": mode, "proxy_to_id": holder_id, "recorded_by": user}
    )
    to = entries[holder_id].organisation.name if holder_id else "chair"
    _audit(assembly, user, "proxy_given", entry=entry, to=to)
    return participation


@transaction.atomic
def withdraw_proxy(entry_id: int, user) -> None:
    assembly = _assembly_of(entry_id)
    entry = RollEntry.objects.select_for_update().get(pk=entry_id)
    _check_open(assembly)
    _may_act_for(entry, user)
    deleted, _rows = Participation.objects.filter(entry=entry, mode__in=PROXIES).delete()
    if not deleted:
        raise ValidationError(_("Your organisation has not given a proxy."))
    _audit(assembly, user, "proxy_withdrawn", entry=entry)


@transaction.atomic
def record_attendance(entry_id: int, user) -> None:
    """The secretariat records an organisation present at the meeting; attending in person
    replaces a proxy it had given."""
    assembly = _assembly_of(entry_id)
    entry = RollEntry.objects.select_for_update().get(pk=entry_id)
    _check_open(assembly)
    if not entry.eligible:
        raise ValidationError(_("This organisation has no vote at this assembly."))
    previous = _participation(entry)
    Participation.objects.update_or_create(
        entry=entry,
        defaults={"mode": Participation.Mode.IN_PERSON, "proxy_to": None, "recorded_by": user},
    )
    _audit(
        assembly,
        user,
        "attendance_recorded",
        entry=entry,
        previous=previous.mode if previous else "",
    )


@transaction.atomic
def record_chair_votes(assembly_id: int, choices: dict[int, str], user) -> None:
    """How the chair exercises the proxies given to the chair, item by item."""
    assembly = _locked(assembly_id)
    _before_close(assembly)
    for item in assembly.items.filter(pk__in=choices):
        if choices[item.pk] not in Choice.values:
            raise ValidationError(_("Choose for, against or abstain on this assembly's items."))
        if item.chair_choice != choices[item.pk]:
            item.chair_choice = choices[item.pk]
            item.save(update_fields=["chair_choice"])
            # Secret ballot: the chair's vote would tell how the proxies to the chair voted.
            detail = {} if assembly.secret_ballot else {"choice": item.chair_choice}
            _audit(assembly, user, "chair_vote", item_id=item.pk, **detail)


CORRECTABLE = ["votes", "eligible", "counts_for_headcount"]


@transaction.atomic
def correct_entry(entry_id: int, user, *, reason: str, **changes) -> RollEntry:
    """A correction of the frozen roll, with its reason, before the vote closes."""
    assembly = _assembly_of(entry_id)
    entry = RollEntry.objects.select_for_update().get(pk=entry_id)
    _before_close(assembly)
    if not reason.strip():
        raise ValidationError(_("Give the reason for the correction."))
    before = {name: getattr(entry, name) for name in CORRECTABLE}
    after = {**before, **{k: v for k, v in changes.items() if k in CORRECTABLE}}
    if after == before:
        raise ValidationError(_("Nothing was changed."))
    for name, value in after.items():
        setattr(entry, name, value)
    entry.note = reason.strip()[:200]
    entry.save(update_fields=[*CORRECTABLE, "note"])
    _audit(assembly, user, "corrected", entry=entry, before=before, after=after, reason=reason)
    return entry
