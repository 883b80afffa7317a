"""Reads of the general assembly: who votes for an organisation, what a user sees, and the
secretariat's live figures, each in a fixed number of queries."""

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from members.models import PersonRole, RegionalBlock
from members.permissions import can

from .models import Assembly, Ballot, Participation, RollEntry


def designated_voter(organisation_id: int, user) -> bool:
    """Whether the user is the organisation's current designated voter (議決権行使者)."""
    if not user.is_authenticated:
        return False
    return (
        PersonRole.objects.current()
        .filter(
            organisation_id=organisation_id,
            kind=PersonRole.Kind.VOTER,
            person__user=user,
            person__left_on__isnull=True,
        )
        .exists()
    )


def visible_assemblies(roles):
    """Members see an assembly once its vote is opened; the secretariat (with the view
    permission on assemblies) sees all."""
    assemblies = Assembly.objects.order_by("-held_on", "-pk")
    if can(roles, "assemblies.manage"):
        return assemblies
    return assemblies.filter(opened_at__isnull=False, opens_at__lte=timezone.now())


def awaiting_votes(organisation):
    """Open assemblies where the organisation may vote and has not taken part yet."""
    now = timezone.now()
    return Assembly.objects.filter(
        opened_at__isnull=False,
        closed_at__isnull=True,
        opens_at__lte=now,
        closes_at__gt=now,
        roll__organisation=organisation,
        roll__eligible=True,
        roll__participation__isnull=True,
    ).order_by("closes_at")


def own_entry(assembly: Assembly, organisation_id: int | None) -> RollEntry | None:
    """The organisation (a member contact's, `Roles.organisation_id`) on the assembly's roll,
    with its participation, or None."""
    if organisation_id is None:
        return None
    return (
        RollEntry.objects.select_related("participation__proxy_to__organisation")
        .filter(assembly=assembly, organisation_id=organisation_id)
        .first()
    )


def _taken_part():
    return Exists(Participation.objects.filter(entry=OuterRef("pk")))


def eligible_roll(assembly: Assembly):
    return assembly.roll.filter(eligible=True)


def turnout_by_block(assembly: Assembly) -> list[dict]:
    """Per regional block: organisations and votes on the roll, and how many took part."""
    present = _taken_part()
    rows = list(
        eligible_roll(assembly)
        .values("organisation__block")
        .annotate(
            entries=Count("pk"),
            votes_total=Sum("votes"),
            entries_present=Count("pk", filter=Q(present)),
            votes_present=Sum("votes", filter=Q(present), default=0),
        )
        .order_by()
    )
    blocks = RegionalBlock.objects.in_bulk({row["organisation__block"] for row in rows} - {None})
    for row in rows:
        row["block"] = blocks.get(row["organisation__block"])
    return sorted(rows, key=lambda row: (row["block"] is None, *_block_order(row["block"])))


def _block_order(block) -> tuple:
    return (block.order, block.name) if block else (0, "")


def not_taken_part(assembly: Assembly):
    """Voting organisations with no ballot, attendance or proxy yet (for reminders)."""
    return (
        eligible_roll(assembly)
        .filter(~_taken_part())
        .select_related("organisation")
        .annotate(reminded=Count("reminders"))
        .order_by("organisation__sort_key", "pk")
    )


def proxy_holders(assembly: Assembly, entry: RollEntry):
    """The members an organisation may name as its proxy: voting, not itself, and not
    proxies themselves."""
    return (
        eligible_roll(assembly)
        .exclude(pk=entry.pk)
        .exclude(participation__mode__in=["proxy_chair", "proxy_member"])
        .select_related("organisation")
        .order_by("organisation__sort_key")
    )


def attendance(assembly: Assembly):
    """The roll with each organisation's participation, for the minutes."""
    return assembly.roll.select_related(
        "organisation", "participation__proxy_to__organisation"
    ).order_by("organisation__sort_key", "pk")


def unmarked_items(entry: RollEntry, items, choices: dict[int, str]) -> list:
    """Of `items`, those a ballot (`choices`, by item id) leaves unmarked and on which the
    roll entry has no vote recorded either: casting it would leave them without a vote."""
    voted = set(Ballot.objects.filter(voter=entry).values_list("item_id", flat=True))
    return [item for item in items if item.pk not in choices and item.pk not in voted]
