"""Small builders for test data; each returns saved objects with sensible defaults."""

import itertools
from datetime import date

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model

from members.models import (
    Issuer,
    Membership,
    MembershipClass,
    Organisation,
    OrganisationKind,
    Person,
    RegionalBlock,
)

PASSWORD = "correct-horse-battery-42"
_counter = itertools.count(1)


def make_user(email, password=PASSWORD, **flags):
    return get_user_model().objects.create_user(email=email, password=password, **flags)


def full_class():
    return MembershipClass.objects.get_or_create(
        code="full",
        defaults={
            "name": "正会員",
            "name_en": "Full member",
            "dues_rule": MembershipClass.DuesRule.PER_UNIT,
            "unit_price": 50000,
            "minimum_units": 2,
            "votes_rule": MembershipClass.VotesRule.PER_UNIT,
            "is_invoiced": True,
        },
    )[0]


def make_organisation(name=None, membership_class=None, **fields):
    block = (
        fields.pop("block", None)
        or RegionalBlock.objects.get_or_create(name="北陸", defaults={"name_en": "Hokuriku"})[0]
    )
    kind = OrganisationKind.objects.get_or_create(
        name="産業支援機関", defaults={"name_en": "Industry-support agency"}
    )[0]
    organisation = Organisation.objects.create(
        name=name or f"テスト財団{next(_counter)}",
        name_kana=fields.pop("name_kana", "テストザイダン"),
        kind=kind,
        block=block,
        prefecture=fields.pop("prefecture", 17),
        **fields,
    )
    Membership.objects.create(
        organisation=organisation,
        membership_class=membership_class or full_class(),
        joined_on=date(2020, 4, 1),
    )
    return organisation


def make_person(organisation, **fields):
    defaults = {
        "family_name": "山田",
        "given_name": "花子",
        "family_name_kana": "ヤマダ",
        "given_name_kana": "ハナコ",
        "email": f"person{next(_counter)}@example.jp",
    }
    return Person.objects.create(organisation=organisation, **{**defaults, **fields})


def add_totp(user) -> Authenticator:
    return TOTP.activate(user, generate_totp_secret()).instance


def make_class(code, dues_rule, votes_rule="none", *, is_invoiced=False, **amounts):
    return MembershipClass.objects.get_or_create(
        code=code,
        defaults={
            "name": code,
            "dues_rule": dues_rule,
            "votes_rule": votes_rule,
            "is_invoiced": is_invoiced,
            **amounts,
        },
    )[0]


def make_issuer(**fields):
    return Issuer.objects.create(
        **{
            "name": "全国イノベーション推進機関ネットワーク",
            "postal_code": "1050001",
            "address": "東京都港区虎ノ門一丁目",
            "bank_account": "みずほ銀行 虎ノ門支店 普通 1234567\nｲﾉﾍﾞｰｼｮﾝﾈﾂﾄ",
            **fields,
        }
    )


def bulk_organisations(count: int, prefix: str = "一括財団"):
    """`count` current full members with one contact each, made with bulk_create (fast)."""
    block = RegionalBlock.objects.get_or_create(name="北陸", defaults={"name_en": "Hokuriku"})[0]
    kind = OrganisationKind.objects.get_or_create(name="産業支援機関")[0]
    organisations = [
        Organisation(
            name=f"{prefix}{n:04d}",
            name_kana=f"イッカツザイダン{n:04d}",
            kind=kind,
            block=block,
            prefecture=17,
        )
        for n in range(count)
    ]
    for organisation in organisations:
        organisation.search_text = organisation.build_search_text()
    organisations = Organisation.objects.bulk_create(organisations)
    full = full_class()
    Membership.objects.bulk_create(
        Membership(organisation=o, membership_class=full, joined_on=date(2020, 4, 1))
        for o in organisations
    )
    Person.objects.bulk_create(
        Person(
            organisation=o, family_name="一括", given_name="太郎", email=f"bulk{o.pk}@example.jp"
        )
        for o in organisations
    )
    return organisations


def make_subscriber(email, topics=None, *, confirmed=True, **fields):
    """An outside reader (or, with person=, a member contact) subscribed to `topics` (all)."""
    from django.utils import timezone

    from newsletter.defaults import create_defaults
    from newsletter.models import Subscriber, Topic

    create_defaults()
    subscriber = Subscriber.objects.create(
        email=email, confirmed_at=timezone.now() if confirmed else None, **fields
    )
    subscriber.topics.set(Topic.objects.all() if topics is None else topics)
    return subscriber


def make_issue(author, topics=None, **fields):
    """A draft issue of the default masthead, about `topics` (default: the policy topic)."""
    from newsletter.defaults import create_defaults
    from newsletter.models import Issue, Masthead, Topic

    create_defaults()
    issue = Issue.objects.create(
        **{
            "subject": "イノベーションネット通信 第1号",
            "body": "# 今月の政策情報\n\n地域の皆様へ。",
            "masthead": Masthead.objects.order_by("pk").first(),
            "created_by": author,
            **fields,
        }
    )
    issue.topics.set(topics or Topic.objects.filter(slug="policy"))
    return issue
