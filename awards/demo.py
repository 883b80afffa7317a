"""The award's part of seed_demo: this year's open call with entries, a committee, and
two past editions in the winners archive (imported like a real archive file). The document
review is opened early (as the secretariat's "open the round now" does) and the demo's
entries assigned to the demo judge, so that the judge has something to score."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone

from members.models import Organisation

from . import archive_import, judging
from .defaults import create_edition
from .models import Edition, Entry, Judge, Round
from .services import refresh_search_text

TOKYO = ZoneInfo("Asia/Tokyo")
YEAR = 2027

# A sample of the archive file the admin imports (awards/archive_import.py).
ARCHIVE_CSV = Path(__file__).with_name("demo_archive.csv")

ENTRIES = [
    (
        "公益財団法人京都高度技術研究所",
        "京都発スタートアップ共創プログラム",
        "大学・研究機関の技術を核に、地域企業とスタートアップの共創を支援する。",
    ),
    (
        "長野県テクノ財団",
        "信州ものづくり高度化支援",
        "精密加工企業の技術高度化と新分野進出を、公設試と連携して支援する。",
    ),
    (
        "公益財団法人川崎市産業振興財団",
        "知的財産交流による新製品開発",
        "大企業の開放特許を中小企業の製品開発につなぐ。",
    ),
]
SECTION_TEXT = "（デモ）{title}の{label}について記載します。"


def _edition() -> Edition:
    existing = Edition.objects.filter(year=YEAR).first()
    if existing is not None:
        return existing
    return create_edition(
        YEAR,
        call_opens_at=datetime(2026, 11, 2, 10, tzinfo=TOKYO),
        nomination_deadline=datetime(2026, 12, 20, 23, 59, tzinfo=TOKYO),
        entry_deadline=datetime(2027, 1, 31, 23, 59, tzinfo=TOKYO),
    )


def seed(*, judge_user, applicant_user, office_user) -> None:
    archive_import.import_winners(ARCHIVE_CSV.read_bytes(), ARCHIVE_CSV.name)
    edition = _edition()
    judge = judging.appoint(
        edition, judge_user, is_chair=True, affiliation="イノベーションネット審査委員会"
    )
    track = edition.tracks.get(kind="programme")
    organisations = {
        organisation.name: organisation
        for organisation in Organisation.objects.filter(name__in=[name for name, *_ in ENTRIES])
    }
    for name, title, summary in ENTRIES:
        organisation = organisations.get(name)
        if organisation is None or Entry.objects.filter(edition=edition, title=title).exists():
            continue
        entry = Entry(
            edition=edition,
            track=track,
            status=Entry.Status.SUBMITTED,
            owner=applicant_user,
            title=title,
            organisation=organisation,
            organisation_name=organisation.name,
            prefecture=organisation.prefecture,
            summary=summary,
            keywords="産学連携, ものづくり",
            sections={
                s.key: SECTION_TEXT.format(title=title, label=s.label)
                for s in track.sections.all()
            },
            contact_name="応募 次郎",
            contact_email=applicant_user.email,
            submitted_at=datetime(2026, 11, 20, 15, tzinfo=TOKYO),
        )
        refresh_search_text(entry)
        entry.save()
    _judging(edition, judge, office_user)


def _judging(edition: Edition, judge: Judge, office_user) -> None:
    """The first round open now, for three weeks at least, and the submitted entries
    assigned to the demo judge (once: a second seed finds them assigned)."""
    stage = edition.rounds.order_by("order").first()
    now = timezone.now()
    if not stage.is_open(now):
        judging.open_round(stage.pk, office_user)
        Round.objects.filter(pk=stage.pk, closes_at__lt=now + timedelta(days=21)).update(
            closes_at=now + timedelta(days=21)
        )
        stage.refresh_from_db()
    if not judge.assignments.filter(round=stage).exists():
        judging.assign(stage, [judge], edition.entries.all(), office_user)
