"""The minutes (議事録) of a general assembly, as PDF and Excel: the count (quorum, and each
item's outcome by votes and by headcount) and the attendance list.

Secrecy: with a secret ballot nothing here tells how an organisation voted. The figures are
totals, and the attendance list says only how each organisation took part (online, in
person, by proxy). The chair's vote for the proxies given to the chair is not printed
either, as it would tell those organisations' votes. With an open ballot the workbook adds
a sheet with each organisation's vote on each item, as the tally counted it. The PDF never
lists individual votes.

The labels are interface text, rendered in the portal's language (unlike the fixed
wording of invoices). A fixed number of queries whatever the size of the roll: the tally's
aggregates, the attendance list and, for an open ballot, the ballots.
"""

from dataclasses import dataclass

from django.http import HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from portal.exports import workbook_response
from portal.pdf import (
    BODY_SIZE,
    CONTENT_WIDTH,
    FONT_FAMILY,
    SECTION_GAP,
    SMALL_SIZE,
    new_document,
    paragraph,
    pdf_table,
)

from .models import Assembly, Ballot, Choice, Participation, RollEntry
from .selectors import attendance
from .tally import Tally, tally

Mode = Participation.Mode

HEADING_SIZE = 16
SECTION_SIZE = 12.5
ITEM_SIZE = 11
ITEM_SPACE = 45  # mm an item's block needs: it starts on a new page rather than split

FACT_COLUMNS = ((58, "LEFT"), (112, "LEFT"))
COUNT_COLUMNS = ((50, "LEFT"), (30, "RIGHT"), (30, "RIGHT"), (30, "RIGHT"), (30, "RIGHT"))
ATTENDANCE_COLUMNS = ((80, "LEFT"), (22, "RIGHT"), (22, "CENTER"), (46, "LEFT"))


@dataclass
class Minutes:
    """What the minutes show, read once: the count and the roll with its participation."""

    assembly: Assembly
    count: Tally
    roll: list[RollEntry]

    @property
    def present(self) -> list[RollEntry]:
        """The voting organisations that took part (as the tally counts them present)."""
        return [e for e in self.roll if e.eligible and _participation(e) is not None]


def read(assembly: Assembly) -> Minutes:
    return Minutes(assembly, tally(assembly), list(attendance(assembly)))


# --- Public entry points -----------------------------------------------------------------


def pdf(assembly: Assembly) -> bytes:
    """The minutes as an A4 PDF: the facts and quorum, each item's count, the attendance."""
    minutes = read(assembly)
    document = _titled_document(minutes)
    _facts(document, minutes)
    _results(document, minutes)
    _attendance(document, minutes)
    return bytes(document.output())


def pdf_response(assembly: Assembly) -> HttpResponse:
    response = HttpResponse(pdf(assembly), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename(assembly)}.pdf"'
    return response


def workbook(assembly: Assembly) -> HttpResponse:
    """The minutes as an Excel workbook: results and attendance, and with an open ballot
    the ballots (never with a secret one)."""
    minutes = read(assembly)
    sheets = [
        (pgettext("minutes sheet", "results"), result_rows(minutes)),
        (pgettext("minutes sheet", "attendance"), attendance_rows(minutes)),
    ]
    if not assembly.secret_ballot:
        sheets.append((pgettext("minutes sheet", "ballots"), ballot_rows(minutes)))
    return workbook_response(sheets, filename(assembly))


def filename(assembly: Assembly) -> str:
    return f"assembly-{assembly.pk}-minutes"


# --- Rows of the workbook ----------------------------------------------------------------


def result_rows(minutes: Minutes):
    yield [
        _("agenda item"),
        _("threshold"),
        _("for (votes)"),
        _("against (votes)"),
        _("abstain (votes)"),
        _("votes exercised"),
        _("for (organisations)"),
        _("against (organisations)"),
        _("abstain (organisations)"),
        _("result"),
    ]
    for result in minutes.count.items:
        yield [
            result.item.title,
            result.item.threshold.label(),
            *(result.votes[choice] for choice in Choice.values),
            result.votes_exercised,
            *(result.heads[choice] for choice in Choice.values),
            str(result.outcome.label),
        ]


def attendance_rows(minutes: Minutes):
    yield [_("organisation"), _("votes"), _("may vote"), _("participation")]
    for entry in minutes.roll:
        yield [
            entry.organisation.name,
            entry.votes,
            eligibility(entry),
            participation_label(entry),
        ]


def ballot_rows(minutes: Minutes):
    """Each voting organisation's vote on each item, as the tally counts it: its own
    ballot, its proxy holder's, or the chair's vote for the proxies given to the chair.
    For open ballots only."""
    if minutes.assembly.secret_ballot:
        raise ValueError("A secret ballot's votes are never exported one by one.")
    yield [_("organisation"), _("votes"), _("agenda item"), _("vote"), _("cast by")]
    ballots = Ballot.objects.filter(item__assembly=minutes.assembly)
    cast = {
        (voter, item): choice
        for voter, item, choice in ballots.values_list("voter_id", "item_id", "choice")
    }
    items = [result.item for result in minutes.count.items]
    for entry in minutes.present:
        participation = _participation(entry)
        for item in items:
            if participation.mode == Mode.PROXY_CHAIR:
                choice, by = item.chair_choice, _("the chair")
            elif participation.mode == Mode.PROXY_MEMBER:
                choice = cast.get((participation.proxy_to_id, item.pk))
                by = _("proxy holder: %(organisation)s") % {
                    "organisation": participation.proxy_to.organisation.name
                }
            else:
                choice, by = cast.get((entry.pk, item.pk)), pgettext("minutes", "itself")
            if choice:
                yield [
                    entry.organisation.name,
                    entry.votes,
                    item.title,
                    str(Choice(choice).label),
                    by,
                ]


# --- Wording -----------------------------------------------------------------------------


def _day(value) -> str:
    """A date in the portal language's format (2026年6月20日 in Japanese)."""
    return date_format(value, "DATE_FORMAT")


def _moment(value) -> str:
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def quorum_rule(assembly: Assembly) -> str:
    share = {"share": f"{assembly.quorum_numerator}/{assembly.quorum_denominator}"}
    if assembly.quorum_strict:
        return _("more than %(share)s of the votes on the roll present") % share
    return _("at least %(share)s of the votes on the roll present") % share


def eligibility(entry: RollEntry) -> str:
    return pgettext("may vote", "yes") if entry.eligible else pgettext("may vote", "no")


def _participation(entry: RollEntry) -> Participation | None:
    return getattr(entry, "participation", None)  # fetched with the roll: no query


def participation_label(entry: RollEntry) -> str:
    participation = _participation(entry)
    if participation is None:
        return _("did not take part")
    if participation.mode == Mode.ONLINE:
        return pgettext("minutes", "online")
    if participation.mode == Mode.IN_PERSON:
        return pgettext("minutes", "in person")
    if participation.mode == Mode.PROXY_CHAIR:
        return _("proxy to the chair")
    return _("proxy to %(organisation)s") % {
        "organisation": participation.proxy_to.organisation.name
    }


# --- The PDF -----------------------------------------------------------------------------


def _titled_document(minutes: Minutes) -> FPDF:
    title = _("%(title)s: minutes") % {"title": minutes.assembly.title}
    document = new_document(title, lang=get_language() or "ja")
    document.set_font(FONT_FAMILY, size=HEADING_SIZE)
    document.multi_cell(
        0, 9, title, align="C", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    document.ln(SECTION_GAP / 2)
    document.set_font(size=BODY_SIZE)
    return document


def _section(document: FPDF, text: str) -> None:
    document.ln(SECTION_GAP)
    paragraph(document, text, size=SECTION_SIZE)
    document.ln(1)
    document.set_font(size=BODY_SIZE)


def _rows_table(document: FPDF, columns, rows, **options) -> None:
    with pdf_table(
        document,
        col_widths=tuple(width for width, _align in columns),
        text_align=tuple(align for _width, align in columns),
        width=CONTENT_WIDTH,
        **options,
    ) as table:
        for row in rows:
            table.row([str(value) for value in row])


def _facts(document: FPDF, minutes: Minutes) -> None:
    assembly, count = minutes.assembly, minutes.count
    closed = (
        _moment(assembly.closed_at)
        if assembly.closed_at
        else _("not closed yet: the figures are provisional")
    )
    facts = [
        (_("held on"), _day(assembly.held_on)),
        (_("record date"), _day(assembly.record_date)),
        (
            _("voting window"),
            _("%(opens)s to %(closes)s")
            % {"opens": _moment(assembly.opens_at), "closes": _moment(assembly.closes_at)},
        ),
        (_("voting closed at"), closed),
        (
            pgettext("minutes", "ballot"),
            _("secret ballot") if assembly.secret_ballot else _("open ballot"),
        ),
        (_("organisations on the roll"), len(minutes.roll)),
        (_("voting members (headcount)"), count.roll_heads),
        (_("votes on the roll"), count.roll_votes),
        (_("organisations present"), len(minutes.present)),
        (_("votes present (with proxies)"), count.present_votes),
        (_("quorum"), quorum_rule(assembly)),
        (
            _("quorum reached"),
            pgettext("quorum", "reached") if count.quorum else pgettext("quorum", "not reached"),
        ),
    ]
    _rows_table(document, FACT_COLUMNS, facts, first_row_as_headings=False)


def _results(document: FPDF, minutes: Minutes) -> None:
    _section(document, pgettext("minutes", "Results"))
    headings = ["", *(str(label) for label in Choice.labels), pgettext("minutes", "total")]
    for result in minutes.count.items:
        if document.will_page_break(ITEM_SPACE):
            document.add_page()
        paragraph(document, result.item.title, size=ITEM_SIZE)
        threshold = result.item.threshold
        name, rule = threshold.label(), threshold.rule()
        paragraph(
            document,
            _("Threshold: %(name)s (%(rule)s)") % {"name": name, "rule": rule}
            if name != rule
            else _("Threshold: %(rule)s") % {"rule": rule},
            size=SMALL_SIZE + 0.5,
        )
        document.ln(1)
        document.set_font(size=BODY_SIZE)
        heads = [result.heads[choice] for choice in Choice.values]
        rows = [
            headings,
            [_("votes"), *(result.votes[c] for c in Choice.values), result.votes_exercised],
            [_("organisations"), *heads, sum(heads)],
        ]
        _rows_table(document, COUNT_COLUMNS, rows)
        document.ln(1)
        paragraph(
            document,
            _("Result: %(outcome)s") % {"outcome": result.outcome.label},
        )
        document.ln(SECTION_GAP / 2)


def _attendance(document: FPDF, minutes: Minutes) -> None:
    _section(document, pgettext("minutes", "Attendance"))
    rows = list(attendance_rows(minutes))  # headings repeat on every page
    _rows_table(document, ATTENDANCE_COLUMNS, rows)
