"""Past winners from a CSV or Excel file, so that the archive starts complete.

One row per winner: the edition's year, track, prize, the programme (or person), its
organisation, prefecture, summary, keywords and the committee's comment. The whole file is
checked first; then editions, tracks, prizes, entries and decisions are created in one
transaction. A row already in the archive (same year, prize and title) is left alone, so
importing the same file twice changes nothing.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.prefectures import prefecture_lookup
from portal.tabular import Rejected, problem, read_rows

from .models import Decision, Edition, Entry, Prize, Track
from .services import refresh_search_text

HEADERS = {
    "year": "年度",
    "track": "部門",
    "prize": "賞",
    "title": "名称",
    "organisation": "団体名",
    "prefecture": "都道府県",
    "summary": "概要",
    "keywords": "キーワード",
    "comment": "講評",
}
REQUIRED = ("year", "track", "prize", "title", "organisation")
TRACK_NAMES = {
    "programme": Track.Kind.PROGRAMME,
    "プログラム": Track.Kind.PROGRAMME,
    "地域産業支援プログラム": Track.Kind.PROGRAMME,
    "individual": Track.Kind.INDIVIDUAL,
    "支援者": Track.Kind.INDIVIDUAL,
    "地域産業支援者": Track.Kind.INDIVIDUAL,
}
DEFAULT_TRACKS = {
    Track.Kind.PROGRAMME: ("地域産業支援プログラム部門", "プログラム名"),
    Track.Kind.INDIVIDUAL: ("地域産業支援者部門", "氏名"),
}


@dataclass
class Row:
    year: int
    track: str
    prize: str
    title: str
    organisation: str
    prefecture: int | None
    summary: str
    keywords: str
    comment: str


def _keys(header: list[str]) -> list[str | None]:
    names = {**{v: k for k, v in HEADERS.items()}, **{k: k for k in HEADERS}}
    keys = [names.get(cell) for cell in header]
    missing = [HEADERS[key] for key in REQUIRED if key not in keys]
    if missing:
        raise Rejected(
            [problem(1, name, _("This column is required but missing.")) for name in missing]
        )
    return keys


def check(rows: list[list[str]]) -> list[Row]:
    if not rows or not any(rows[0]):
        raise Rejected([problem(0, "", _("The file is empty."))])
    keys = _keys(rows[0])
    prefectures = prefecture_lookup()
    checked, problems = [], []
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cells):
            continue
        values = {key: cell for key, cell in zip(keys, cells, strict=False) if key}
        for key in REQUIRED:
            if not values.get(key):
                problems.append(problem(number, HEADERS[key], _("This is required.")))
        year = values.get("year", "").removesuffix("年度")
        if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
            problems.append(problem(number, HEADERS["year"], _("A year such as 2019.")))
        track = TRACK_NAMES.get(values.get("track", "").casefold())
        if values.get("track") and track is None:
            problems.append(
                problem(number, HEADERS["track"], _("Unknown track: use プログラム or 支援者."))
            )
        prefecture = None
        if values.get("prefecture"):
            prefecture = prefectures.get(values["prefecture"].casefold())
            if prefecture is None:
                problems.append(problem(number, HEADERS["prefecture"], _("Unknown prefecture.")))
        for key, limit in (
            ("title", 200),
            ("organisation", 200),
            ("prize", 200),
            ("keywords", 200),
        ):
            if len(values.get(key, "")) > limit:
                problems.append(
                    problem(
                        number, HEADERS[key], _("At most %(limit)d characters.") % {"limit": limit}
                    )
                )
        if not problems:
            checked.append(
                Row(
                    year=int(year),
                    track=track,
                    prize=values["prize"],
                    title=values["title"],
                    organisation=values["organisation"],
                    prefecture=prefecture,
                    summary=values.get("summary", ""),
                    keywords=values.get("keywords", ""),
                    comment=values.get("comment", ""),
                )
            )
    if problems:
        raise Rejected(problems)
    return checked


def _past_edition(year: int) -> Edition:
    """A past edition, announced in May of the year after its call opened (the usual
    calendar); its dates only order it, nobody can enter it."""
    tz = timezone.get_current_timezone()
    edition, _created = Edition.objects.get_or_create(
        year=year,
        defaults={
            "name": f"イノベーションネットアワード{year}",
            "call_opens_at": datetime.combine(datetime(year - 1, 11, 1), time(), tz),
            "nomination_deadline": datetime.combine(datetime(year - 1, 12, 20), time(), tz),
            "entry_deadline": datetime.combine(datetime(year, 1, 20), time(), tz),
            "announced_at": datetime.combine(datetime(year, 5, 15), time(), tz),
        },
    )
    return edition


def _track(edition: Edition, kind: str) -> Track:
    name, title_label = DEFAULT_TRACKS[kind]
    return Track.objects.get_or_create(
        edition=edition, kind=kind, defaults={"name": name, "title_label": title_label}
    )[0]


def _prize(edition: Edition, name: str) -> Prize:
    prize, created = Prize.objects.get_or_create(edition=edition, name=name)
    if created:
        prize.order = prize.pk
        prize.save(update_fields=["order"])
    return prize


def import_winners(content: bytes, file_name: str) -> int:
    """Import the file; returns how many winners were added (Rejected if any row is wrong)."""
    rows = check(read_rows(content, file_name))
    added = 0
    with transaction.atomic():
        for row in rows:
            edition = _past_edition(row.year)
            prize = _prize(edition, row.prize)
            if Decision.objects.filter(prize=prize, entry__title=row.title).exists():
                continue
            entry = Entry.objects.create(
                edition=edition,
                track=_track(edition, row.track),
                status=Entry.Status.SUBMITTED,
                title=row.title,
                organisation_name=row.organisation,
                prefecture=row.prefecture,
                summary=row.summary,
                keywords=row.keywords,
                submitted_at=edition.entry_deadline,
            )
            refresh_search_text(entry)
            entry.save(update_fields=["search_text"])
            Decision.objects.create(
                edition=edition,
                prize=prize,
                entry=entry,
                reason=_("Imported from the archive."),
                comment=row.comment,
            )
            added += 1
    return added
