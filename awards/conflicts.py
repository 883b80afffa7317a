"""Conflicts of interest between judges and entries.

Hard conflicts (the judge neither sees nor scores the entry) come from the data — the
judge's organisation applies or is a partner, the judge nominated the entry — or from a
judge's declaration. Same prefecture is a soft flag: shown in the matrix, nothing more.
`visible_to` (entries a judge may see), `conflicted_assignment` (assignments whose judge
is conflicted, e.g. a declaration made after scoring) and `matrix` (for the secretariat, in
Python) state the same rules; a test holds them to each other.
"""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from .models import Conflict, Entry, Judge, Nomination


@dataclass(frozen=True)
class Flag:
    kind: str
    label: str
    hard: bool


SAME_PREFECTURE = Flag("same_prefecture", _("Same prefecture"), hard=False)


def visible_to(judge: Judge, entries):
    """`entries` without those the judge has a hard conflict with."""
    entries = entries.exclude(conflicts__judge=judge).exclude(nominations__nominator=judge.user_id)
    if judge.organisation_id:
        entries = entries.exclude(organisation=judge.organisation_id).exclude(
            co_applicant_organisations=judge.organisation_id
        )
    return entries


def conflicted_assignment():
    """A condition on Assignment: its judge has a hard conflict with its entry."""
    partner = Entry.co_applicant_organisations.through.objects.filter(
        entry=OuterRef("entry"), organisation=OuterRef("judge__organisation")
    )
    return (
        Exists(Conflict.objects.filter(judge=OuterRef("judge"), entry=OuterRef("entry")))
        | Exists(
            Nomination.objects.filter(entry=OuterRef("entry"), nominator=OuterRef("judge__user"))
        )
        | Q(judge__organisation__isnull=False, entry__organisation=F("judge__organisation"))
        | Exists(partner)
    )


def is_conflicted(judge: Judge, entry_id: int) -> bool:
    return not visible_to(judge, Entry.objects.filter(pk=entry_id)).exists()


def _kind(kind) -> Flag:
    return Flag(kind.value, kind.label, hard=True)


def flags(judge: Judge, entry: Entry, declared: dict) -> list[Flag]:
    """Why `judge` is conflicted with `entry`; `entry` has its partners and nominators
    prefetched, `declared` maps (judge id, entry id) to a declared Conflict."""
    found = []
    if judge.organisation_id and entry.organisation_id == judge.organisation_id:
        found.append(_kind(Conflict.Kind.SAME_ORGANISATION))
    partners = {organisation.pk for organisation in entry.co_applicant_organisations.all()}
    if judge.organisation_id and judge.organisation_id in partners:
        found.append(_kind(Conflict.Kind.CO_APPLICANT))
    if judge.user_id in {nomination.nominator_id for nomination in entry.nominations.all()}:
        found.append(_kind(Conflict.Kind.NOMINATOR))
    declaration = declared.get((judge.pk, entry.pk))
    if declaration is not None:
        found.append(Flag(declaration.kind, declaration.get_kind_display(), hard=True))
    if judge.prefecture and judge.prefecture == entry.prefecture:
        found.append(SAME_PREFECTURE)
    return found


def matrix(edition) -> tuple[list[Judge], list[Entry], dict]:
    """Judges, entries, and (judge id, entry id) → flags for every pair with any."""
    judges = list(edition.judges.select_related("user"))
    entries = list(
        edition.entries.active()
        .exclude(status=Entry.Status.INVITED)
        .select_related("track", "edition")
        .prefetch_related("co_applicant_organisations", "nominations")
    )
    declared = {
        (conflict.judge_id, conflict.entry_id): conflict
        for conflict in Conflict.objects.filter(judge__edition=edition)
    }
    cells = {}
    for judge in judges:
        for entry in entries:
            found = flags(judge, entry, declared)
            if found:
                cells[judge.pk, entry.pk] = found
    return judges, entries, cells
