"""The award as it runs today (DOMAIN.md), as a starting point the secretariat edits:
tracks and their form sections, prizes with their viewpoints, rounds with their rubric.
Later editions are copied from the previous one (`copy_edition`)."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction

from .models import Criterion, Edition, Prize, Round, Track, TrackSection

TRACKS = [
    (
        Track.Kind.PROGRAMME,
        "地域産業支援プログラム部門",
        "プログラム名",
        [
            ("background", "背景・目的", "プログラムを始めた地域の課題と目的。"),
            ("activities", "取組内容", "誰と、何を、どのように実施したか。"),
            ("results", "成果", "支援件数、事業化件数、売上・雇用など、数字で示してください。"),
            ("ripple_effect", "波及効果", "地域経済や他地域への広がり。"),
            ("sustainability", "持続性", "体制、予算、今後の展開。"),
        ],
    ),
    (
        Track.Kind.INDIVIDUAL,
        "地域産業支援者部門（堀場雅夫賞）",
        "氏名",
        [
            ("career", "経歴", "産業支援に携わった経歴。"),
            ("activities", "支援活動", "支援の内容と工夫。"),
            ("results", "成果", "支援先の成長など、数字で示してください。"),
            ("ripple_effect", "波及効果", "他の支援者や地域への影響。"),
        ],
    ),
]

PRIZES = [
    ("経済産業大臣賞", 1, "新しい事業を継続的に生み出す支援の仕組み。"),
    ("文部科学大臣賞", 1, "産学官の連携による地域イノベーション。"),
    ("農林水産大臣賞", 1, "農林水産業・食品産業の振興。"),
    ("会長賞", 1, ""),
    ("日本立地センター理事長賞", 1, ""),
    ("優秀賞", 5, ""),
]

RUBRIC = [
    ("独自性", Decimal("1")),
    ("関係機関との連携", Decimal("1")),
    ("地域経済への波及効果", Decimal("1.5")),
    ("成果", Decimal("1.5")),
    ("持続性", Decimal("1")),
]
FIT_PRIZES = ["経済産業大臣賞", "文部科学大臣賞", "農林水産大臣賞"]


@transaction.atomic
def create_edition(year: int, call_opens_at, nomination_deadline, entry_deadline) -> Edition:
    edition = Edition.objects.create(
        year=year,
        name=f"イノベーションネットアワード{year}",
        call_opens_at=call_opens_at,
        nomination_deadline=nomination_deadline,
        entry_deadline=entry_deadline,
    )
    for order, (kind, name, title_label, sections) in enumerate(TRACKS):
        track = Track.objects.create(
            edition=edition, kind=kind, name=name, title_label=title_label, order=order
        )
        TrackSection.objects.bulk_create(
            TrackSection(track=track, key=key, label=label, help_text=help_text, order=n)
            for n, (key, label, help_text) in enumerate(sections)
        )
    prizes = {
        name: Prize.objects.create(
            edition=edition, name=name, winners=winners, viewpoint=viewpoint, order=order
        )
        for order, (name, winners, viewpoint) in enumerate(PRIZES)
    }
    for order, name in enumerate(["書類審査", "最終審査"]):
        opens = entry_deadline + timedelta(days=7 + 35 * order)
        stage = Round.objects.create(
            edition=edition,
            name=name,
            order=order,
            opens_at=opens,
            closes_at=opens + timedelta(days=21),
        )
        _rubric(stage, prizes)
    return edition


def _rubric(stage: Round, prizes: dict) -> None:
    Criterion.objects.bulk_create(
        [
            Criterion(round=stage, name=name, weight=weight, order=order)
            for order, (name, weight) in enumerate(RUBRIC)
        ]
        + [
            Criterion(round=stage, name=f"{name}への適合", prize=prizes[name], order=10 + order)
            for order, name in enumerate(FIT_PRIZES)
        ]
    )


@transaction.atomic
def copy_edition(source: Edition, year: int) -> Edition:
    """Next year's edition with this one's tracks, sections, prizes, rounds and rubric;
    dates move by the years between them."""
    shift = timedelta(days=round(365.25 * (year - source.year)))
    edition = Edition.objects.create(
        year=year,
        name=source.name.replace(str(source.year), str(year)),
        description=source.description,
        call_opens_at=source.call_opens_at + shift,
        nomination_deadline=source.nomination_deadline + shift,
        entry_deadline=source.entry_deadline + shift,
        decision_on=source.decision_on + shift if source.decision_on else None,
    )
    for track in source.tracks.prefetch_related("sections"):
        sections = list(track.sections.all())
        track.pk, track.edition = None, edition
        track.save()
        for section in sections:
            section.pk, section.track = None, track
        TrackSection.objects.bulk_create(sections)
    prizes = {}
    for prize in source.prizes.all():
        old = prize.pk
        prize.pk, prize.edition = None, edition
        prize.save()
        prizes[old] = prize
    for stage in source.rounds.prefetch_related("criteria"):
        criteria = list(stage.criteria.all())
        stage.pk, stage.edition, stage.scores_released = None, edition, False
        stage.opens_at += shift
        stage.closes_at += shift
        stage.save()
        for criterion in criteria:
            criterion.pk, criterion.round = None, stage
            criterion.prize = prizes.get(criterion.prize_id)
        Criterion.objects.bulk_create(criteria)
    return edition
