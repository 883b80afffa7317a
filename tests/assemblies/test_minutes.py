"""The minutes as PDF and Excel, on a hand-computed roll:

青森 4 votes online, 秋田 3 online, 岩手 2 does not take part, 宮城 1 proxy to the chair,
山形 1 proxy to 青森: 11 votes and 5 voting members on the roll, 9 votes (4 members) present.

Ordinary item (more than 1/2): 青森 for, 秋田 against, the chair for.
    for 4 + 1 (山形) + 1 (宮城) = 6, against 3: 6 of 9, carried; heads 3 for, 1 against.
Special item (at least 2/3 and 1/2 of the members): 青森 for, 秋田 abstains, the chair
against.
    for 5, against 1, abstain 3: 5 of 9 is less than 2/3, rejected; heads 2, 1, 1.
"""

import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils.translation import gettext, pgettext
from openpyxl import load_workbook
from pypdf import PdfReader

from assemblies import minutes, services
from assemblies.models import AgendaItem, Ballot, Choice, Participation, RollEntry
from tests import factories
from tests.factories import make_assembly
from tests.pdftext import text_of

pytestmark = pytest.mark.django_db

NAMES = {"青森財団": 4, "秋田財団": 3, "岩手財団": 2, "宮城財団": 1, "山形財団": 1}
RESULTS = pgettext("minutes sheet", "results")
ATTENDANCE = pgettext("minutes sheet", "attendance")
BALLOTS = pgettext("minutes sheet", "ballots")
FOR, AGAINST, ABSTAIN = (str(label) for label in Choice.labels)
YES = pgettext("may vote", "yes")


def _roll(**fields):
    return factories.voting_assembly(
        NAMES, held_on=date(2026, 6, 20), record_date=date(2026, 6, 1), **fields
    )


def _vote(roll, secretariat, *, close=True):
    assembly, entries, voters, items = roll
    ordinary, special = items["ordinary"].pk, items["special"].pk
    services.cast(entries["青森財団"].pk, {ordinary: "for", special: "for"}, voters["青森財団"])
    services.cast(
        entries["秋田財団"].pk, {ordinary: "against", special: "abstain"}, voters["秋田財団"]
    )
    services.give_proxy(entries["宮城財団"].pk, voters["宮城財団"])
    services.give_proxy(
        entries["山形財団"].pk, voters["山形財団"], holder_id=entries["青森財団"].pk
    )
    services.record_chair_votes(assembly.pk, {ordinary: "for", special: "against"}, secretariat)
    if close:
        services.close_voting(assembly.pk, secretariat)
    assembly.refresh_from_db()
    return assembly


@pytest.fixture
def voted(secretariat):
    return _vote(_roll(secret_ballot=True), secretariat)


def _sheets(response) -> dict[str, list[list]]:
    book = load_workbook(io.BytesIO(response.content))
    return {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in book.worksheets
    }


def _squeezed(text: str) -> str:
    """As text_of gives the PDF's text: without whitespace."""
    return re.sub(r"\s+", "", text)


def _attendance_line(name, votes, how):
    return _squeezed(f"{name}{votes}{YES}{how}")


def test_the_workbook_counts_by_votes_and_by_headcount(voted):
    response = minutes.workbook(voted)
    assert response["Content-Disposition"] == (
        f'attachment; filename="assembly-{voted.pk}-minutes.xlsx"'
    )
    sheets = _sheets(response)
    assert list(sheets) == [RESULTS, ATTENDANCE]  # secret ballot: no sheet of ballots
    header, ordinary, special = sheets[RESULTS]
    assert len(header) == 10
    carried = pgettext("resolution", "carried")
    rejected = pgettext("resolution", "rejected")
    assert ordinary == ["第1号議案 事業計画", "普通決議", 6, 3, 0, 9, 3, 1, 0, carried]
    assert special == ["第2号議案 規約改正", "特別決議", 5, 1, 3, 9, 2, 1, 1, rejected]
    assert sheets[ATTENDANCE][1:] == [
        ["青森財団", 4, YES, pgettext("minutes", "online")],
        ["秋田財団", 3, YES, pgettext("minutes", "online")],
        ["岩手財団", 2, YES, gettext("did not take part")],
        ["宮城財団", 1, YES, gettext("proxy to the chair")],
        ["山形財団", 1, YES, gettext("proxy to %(organisation)s") % {"organisation": "青森財団"}],
    ]


def test_the_pdf_shows_the_facts_the_figures_and_the_attendance(voted):
    text = text_of(minutes.pdf(voted))
    assert "2026年6月20日" in text  # held on, in the Japanese style
    assert "2026年6月1日" in text  # record date
    for label, value in [
        ("organisations on the roll", 5),
        ("voting members (headcount)", 5),
        ("votes on the roll", 11),
        ("organisations present", 4),
        ("votes present (with proxies)", 9),
    ]:
        assert _squeezed(f"{gettext(label)}{value}") in text
    assert _squeezed(gettext("quorum reached") + pgettext("quorum", "reached")) in text
    votes, heads = _squeezed(gettext("votes")), _squeezed(gettext("organisations"))
    ordinary = text[text.index("第1号議案") : text.index("第2号議案")]
    assert f"{votes}6309" in ordinary  # for, against, abstain, exercised
    assert f"{heads}3104" in ordinary
    assert pgettext("resolution", "carried") in ordinary
    special = text[text.index("第2号議案") :]
    assert f"{votes}5139" in special
    assert f"{heads}2114" in special
    assert pgettext("resolution", "rejected") in special
    assert "2/3" in special and "特別決議" in special  # the threshold and its rule
    for line in [
        _attendance_line("青森財団", 4, pgettext("minutes", "online")),
        _attendance_line("岩手財団", 2, gettext("did not take part")),
        _attendance_line("宮城財団", 1, gettext("proxy to the chair")),
        _attendance_line(
            "山形財団", 1, gettext("proxy to %(organisation)s") % {"organisation": "青森財団"}
        ),
    ]:
        assert line in text


def test_the_pdf_response_is_an_attachment(voted):
    response = minutes.pdf_response(voted)
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="assembly-{voted.pk}-minutes.pdf"'
    )
    assert response.content.startswith(b"%PDF")


def test_without_quorum_nothing_is_decided(secretariat):
    assembly, entries, voters, items = _roll()
    services.cast(entries["青森財団"].pk, {items["ordinary"].pk: "for"}, voters["青森財団"])
    services.close_voting(assembly.pk, secretariat)  # 4 of 11 votes present
    assembly.refresh_from_db()
    sheets = _sheets(minutes.workbook(assembly))
    undecided = pgettext("resolution", "not decided (no quorum)")
    assert [row[-1] for row in sheets[RESULTS][1:]] == [undecided, undecided]
    text = text_of(minutes.pdf(assembly))
    assert _squeezed(gettext("quorum reached") + pgettext("quorum", "not reached")) in text


def test_the_results_page_and_the_minutes_say_the_same_outcome(client, secretariat_with_mfa):
    """One rule decides an item's outcome: without a quorum the page says 不成立 as the
    minutes do, never 否決; with one, both say 可決 or 否決 alike."""
    from django.urls import reverse

    assembly, entries, voters, items = _roll()
    services.cast(entries["青森財団"].pk, {items["ordinary"].pk: "for"}, voters["青森財団"])
    services.close_voting(assembly.pk, secretariat_with_mfa)  # no quorum
    assembly.refresh_from_db()
    client.force_login(secretariat_with_mfa)
    page = client.get(reverse("assemblies:results", args=[assembly.pk])).content.decode()
    outcomes = re.findall(r'<td><strong class="[^"]*">([^<]*)</strong></td>', page)
    sheet = [row[-1] for row in _sheets(minutes.workbook(assembly))[RESULTS][1:]]
    assert outcomes == sheet == [pgettext("resolution", "not decided (no quorum)")] * 2
    assert "不成立" in outcomes[0] and pgettext("resolution", "rejected") not in page
    text = text_of(minutes.pdf(assembly))
    for outcome in outcomes:
        assert _squeezed(outcome) in text


def _swap_votes(roll, first: str, second: str):
    """Two members of equal weight vote for and against, and then the other way round:
    the totals are the same, only the individual votes differ."""
    assembly, entries, voters, items = roll
    exports = []
    for one, other in [("for", "against"), ("against", "for")]:
        for name, choice in [(first, one), (second, other)]:
            choices = {items["ordinary"].pk: choice, items["special"].pk: "abstain"}
            services.cast(entries[name].pk, choices, voters[name])
        assembly.refresh_from_db()
        exports.append((_sheets(minutes.workbook(assembly)), text_of(minutes.pdf(assembly))))
    return exports


def test_a_secret_ballot_reveals_no_organisations_vote():
    roll = factories.voting_assembly({"北海財団": 4, "南海財団": 4, "東海財団": 2})
    (sheets, text), (swapped_sheets, swapped_text) = _swap_votes(roll, "北海財団", "南海財団")
    assert BALLOTS not in sheets
    assert sheets == swapped_sheets  # nothing in the workbook depends on who voted what
    assert text == swapped_text  # nor in the PDF
    # …and the votes are there only as totals.
    assert sheets[RESULTS][1][2:6] == [4, 4, 0, 8]
    for row in sheets[ATTENDANCE]:
        assert not {FOR, AGAINST, ABSTAIN} & set(row)


def test_an_open_ballot_lists_each_organisations_vote(secretariat):
    assembly = _vote(_roll(secret_ballot=False), secretariat)
    sheets = _sheets(minutes.workbook(assembly))
    assert list(sheets) == [RESULTS, ATTENDANCE, BALLOTS]
    itself, chair = pgettext("minutes", "itself"), gettext("the chair")
    holder = gettext("proxy holder: %(organisation)s") % {"organisation": "青森財団"}
    ordinary, special = "第1号議案 事業計画", "第2号議案 規約改正"
    assert sheets[BALLOTS][1:] == [
        ["青森財団", 4, ordinary, FOR, itself],
        ["青森財団", 4, special, FOR, itself],
        ["秋田財団", 3, ordinary, AGAINST, itself],
        ["秋田財団", 3, special, ABSTAIN, itself],
        ["宮城財団", 1, ordinary, FOR, chair],
        ["宮城財団", 1, special, AGAINST, chair],
        ["山形財団", 1, ordinary, FOR, holder],
        ["山形財団", 1, special, FOR, holder],
    ]
    # The ballots add up to the results.
    for result in sheets[RESULTS][1:]:
        rows = [row for row in sheets[BALLOTS][1:] if row[2] == result[0]]
        for column, choice in zip((2, 3, 4), (FOR, AGAINST, ABSTAIN), strict=True):
            assert result[column] == sum(row[1] for row in rows if row[3] == choice)


def test_an_open_ballot_changes_the_ballots_sheet_only():
    roll = factories.voting_assembly(
        {"北海財団": 4, "南海財団": 4, "東海財団": 2}, secret_ballot=False
    )
    (sheets, text), (swapped_sheets, swapped_text) = _swap_votes(roll, "北海財団", "南海財団")
    assert sheets[BALLOTS] != swapped_sheets[BALLOTS]
    assert sheets[RESULTS] == swapped_sheets[RESULTS]
    assert text == swapped_text  # the PDF lists no individual votes, even so


def test_text_cells_never_become_formulas(secretariat):
    assembly, entries, voters, items = factories.voting_assembly(
        {'=HYPERLINK("https://evil.example/","開く")': 2, "@SUM(1+1)": 1}, secret_ballot=False
    )
    items["ordinary"].title = "+第1号議案"
    items["ordinary"].save()
    evil, at = entries.values()
    services.cast(evil.pk, {items["ordinary"].pk: "for"}, voters[evil.organisation.name])
    services.give_proxy(at.pk, voters[at.organisation.name], holder_id=evil.pk)
    assembly.refresh_from_db()
    book = load_workbook(io.BytesIO(minutes.workbook(assembly).content))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.value[:1] not in "=+-@", (sheet.title, cell.coordinate)
                    values.append(cell.value)
    assert '\'=HYPERLINK("https://evil.example/","開く")' in values
    assert "'@SUM(1+1)" in values
    assert "'+第1号議案" in values
    # The PDF prints the names as they are.
    assert '=HYPERLINK("https://evil.example/","開く")' in text_of(minutes.pdf(assembly))


def _large_roll(size: int):
    """`size` members of 2 votes: a third online (for), a third proxy to the chair, the
    rest not taking part; two items, open ballot (so that the ballots are read too)."""
    opens = datetime(2026, 6, 10, 9, tzinfo=ZoneInfo("Asia/Tokyo"))
    assembly = make_assembly(open_now=False, secret_ballot=False, opened_at=opens)
    entries = RollEntry.objects.bulk_create(
        RollEntry(assembly=assembly, organisation=o, votes=2)
        for o in factories.bulk_organisations(size)
    )
    threshold, _special = factories.make_thresholds()
    items = [
        AgendaItem.objects.create(
            assembly=assembly,
            order=n,
            title=f"第{n}号議案",
            threshold=threshold,
            chair_choice="for",
        )
        for n in (1, 2)
    ]
    online, chair = entries[: size // 3], entries[size // 3 : 2 * size // 3]
    Participation.objects.bulk_create(
        [Participation(entry=e, mode="online") for e in online]
        + [Participation(entry=e, mode="proxy_chair") for e in chair]
    )
    Ballot.objects.bulk_create(
        Ballot(item=item, voter=e, choice="for") for e in online for item in items
    )
    return assembly, size // 3 + len(chair)


@pytest.mark.parametrize("size", [10, 300])
def test_the_minutes_within_a_fixed_query_budget(size, django_assert_max_num_queries):
    assembly, present = _large_roll(size)
    with django_assert_max_num_queries(9):
        document = minutes.pdf(assembly)
    with django_assert_max_num_queries(9):
        response = minutes.workbook(assembly)
    sheets = _sheets(response)
    assert len(sheets[ATTENDANCE]) == size + 1
    assert len(sheets[BALLOTS]) == 2 * present + 1
    assert sheets[RESULTS][1][2] == 2 * present  # for: online and the chair's proxies
    pages = len(PdfReader(io.BytesIO(document)).pages)
    text = text_of(document)
    assert all(f"一括財団{n:04d}" in text for n in range(size))  # every member is listed
    if size == 300:
        assert pages >= 5  # the attendance list runs over several pages
        assert f"{pages}/{pages}" in text  # and each page is numbered "n/total"
