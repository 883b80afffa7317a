"""The general assembly's part of seed_demo: this year's ordinary general assembly, its roll
frozen from the demo's membership years and the vote open. About a third of the members
took part in person (recorded by the secretariat through the real services); the demo
member's voter has not voted yet, so the voting page is there to try."""

from datetime import timedelta

from django.utils import timezone

from members import demo as member_demo

from . import services
from .models import AgendaItem, Assembly, Threshold

TITLE = "令和8年度 通常総会（デモ）"
ITEMS = [
    ("第1号議案 令和7年度事業報告及び決算の承認", "普通決議"),
    ("第2号議案 令和8年度事業計画及び収支予算の承認", "普通決議"),
    ("第3号議案 規約の一部改正（会費口数の上限の変更）", "特別決議"),
]
THRESHOLDS = {
    "普通決議": {"votes_numerator": 1, "votes_denominator": 2},
    "特別決議": {
        "votes_numerator": 2,
        "votes_denominator": 3,
        "votes_strict": False,
        "headcount_numerator": 1,
        "headcount_denominator": 2,
    },
}
CHOICES = ["for", "for", "for", "against", "abstain"]  # dealt out in turn


def seed(user) -> Assembly:
    existing = Assembly.objects.filter(title=TITLE).first()
    if existing is not None:
        return existing
    now = timezone.now()
    today = timezone.localdate()
    assembly = Assembly.objects.create(
        title=TITLE,
        held_on=today + timedelta(days=14),
        record_date=today - timedelta(days=1),
        opens_at=now - timedelta(hours=1),
        closes_at=now + timedelta(days=14),
        secret_ballot=True,
    )
    thresholds = {
        name: Threshold.objects.get_or_create(name=name, defaults=fields)[0]
        for name, fields in THRESHOLDS.items()
    }
    items = [
        AgendaItem.objects.create(
            assembly=assembly, order=n, title=title, threshold=thresholds[kind]
        )
        for n, (title, kind) in enumerate(ITEMS, 1)
    ]
    services.freeze_roll(assembly.pk, user)
    services.open_voting(assembly.pk, user)
    roll = assembly.roll.exclude(organisation__name=member_demo.DEMO_MEMBER_ORGANISATION)
    for n, entry in enumerate(roll.order_by("organisation__sort_key")[::3]):
        services.record_attendance(entry.pk, user)
        choices = {item.pk: CHOICES[(n + i) % len(CHOICES)] for i, item in enumerate(items)}
        services.cast(entry.pk, choices, user)
    return assembly
