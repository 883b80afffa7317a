"""The report after an event: who registered and who came, by regional block and membership
class, and per session; counted in the database in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from members.models import Membership, MembershipClass, RegionalBlock

from .models import Event, Registration, Seat, Session

NON_MEMBERS = _("Non-members")


@dataclass
class Cell:
    participants: int = 0
    attendees: int = 0

    def add(self, other: "Cell") -> None:
        self.participants += other.participants
        self.attendees += other.attendees


@dataclass
class Row:
    label: str
    cells: list[Cell]
    total: Cell


@dataclass
class Report:
    columns: list[str]  # the classes, then 非会員
    rows: list[Row]  # the blocks, then 非会員 (no institution, or one without a block)
    totals: list[Cell]
    total: Cell
    sessions: list[Session]  # each with `registered` and `attended`


def counts(event: Event):
    """{(block id, class id): Cell} of the registered participants; None stands for
    no block and for no current membership (a non-member)."""
    current_class = (
        Membership.objects.current()
        .filter(organisation=OuterRef("organisation_id"))
        .values("membership_class_id")[:1]
    )
    came = Seat.objects.filter(registration=OuterRef("pk"), attended_at__isnull=False)
    rows = (
        Registration.objects.filter(event=event, status=Registration.Status.REGISTERED)
        .annotate(klass=Subquery(current_class), came=Exists(came))
        .values("organisation__block_id", "klass")
        .annotate(participants=Count("pk"), attendees=Count("pk", filter=Q(came=True)))
        .order_by()
    )
    return {
        (row["organisation__block_id"], row["klass"]): Cell(row["participants"], row["attendees"])
        for row in rows
    }


def session_counts(event: Event) -> list[Session]:
    registered = Q(seats__registration__status=Registration.Status.REGISTERED)
    return list(
        Session.objects.filter(event=event)
        .annotate(
            registered=Count("seats", filter=registered),
            attended=Count("seats", filter=registered & Q(seats__attended_at__isnull=False)),
        )
        .order_by("starts_at", "pk")
    )


def report(event: Event) -> Report:
    found = counts(event)
    blocks = list(RegionalBlock.objects.all())
    classes = list(MembershipClass.objects.all())
    block_keys = [(b.pk, str(b)) for b in blocks] + [(None, str(NON_MEMBERS))]
    class_keys = [c.pk for c in classes] + [None]
    # A block or class gone from the lists (none should) still counts, under 非会員.
    known_blocks, known_classes = {k for k, _l in block_keys}, set(class_keys)
    table: dict[tuple, Cell] = {}
    for (block, klass), cell in found.items():
        key = (block if block in known_blocks else None, klass if klass in known_classes else None)
        table.setdefault(key, Cell()).add(cell)
    rows, totals, total = [], [Cell() for _k in class_keys], Cell()
    for block, label in block_keys:
        cells = [table.get((block, klass), Cell()) for klass in class_keys]
        row_total = Cell()
        for column, cell in enumerate(cells):
            row_total.add(cell)
            totals[column].add(cell)
        total.add(row_total)
        rows.append(Row(label, cells, row_total))
    return Report(
        columns=[str(c) for c in classes] + [str(NON_MEMBERS)],
        rows=rows,
        totals=totals,
        total=total,
        sessions=session_counts(event),
    )
