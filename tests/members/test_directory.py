from datetime import date

import pytest
from django.urls import reverse

from members.models import Membership, Organisation, OrganisationKind, RegionalBlock
from tests import factories

pytestmark = pytest.mark.django_db

URL = reverse("members:directory")


@pytest.fixture
def directory(member, organisation):
    """ISICO (the member's own, 石川), ASTEM (京都) and one that has left."""
    kinki = RegionalBlock.objects.create(name="近畿", name_en="Kinki", order=6)
    factories.make_organisation(
        "公益財団法人京都高度技術研究所",
        name_kana="コウエキザイダンホウジンキョウトコウドギジュツケンキュウショ",
        short_name="ASTEM", prefecture=26, block=kinki,
        description="ソフトウェアとバイオの研究開発支援",
    )  # fmt: skip
    gone = factories.make_organisation("退会済み財団")
    Membership.objects.filter(organisation=gone).update(left_on=date(2024, 3, 31))
    organisation.name_kana = "コウエキザイダンホウジンイシカワケンサンギョウソウシュツシエンキコウ"
    organisation.save()
    return organisation


def names(response):
    return [o.name for o in response.context["page"]]


def test_lists_current_members_only_without_personal_emails(client, member, directory):
    client.force_login(member)
    response = client.get(URL)
    assert names(response) == [
        "公益財団法人石川県産業創出支援機構",
        "公益財団法人京都高度技術研究所",
    ]
    body = response.content.decode()
    assert "member@example.jp" not in body
    assert "正会員" in body


@pytest.mark.parametrize(
    "query",
    ["京都", "きょうと", "ｷｮｳﾄ", "キョウト", "ASTEM", "astem", "バイオ", "京都　研究所"],
)
def test_search_in_kanji_kana_and_any_width(client, member, directory, query):
    client.force_login(member)
    assert names(client.get(URL, {"q": query})) == ["公益財団法人京都高度技術研究所"]


def test_filters_by_block_prefecture_and_kind(client, member, directory):
    client.force_login(member)
    kinki = RegionalBlock.objects.get(name="近畿")
    assert names(client.get(URL, {"block": kinki.pk})) == ["公益財団法人京都高度技術研究所"]
    assert names(client.get(URL, {"prefecture": 17})) == ["公益財団法人石川県産業創出支援機構"]
    university = OrganisationKind.objects.create(name="大学")
    assert names(client.get(URL, {"kind": university.pk})) == []
    body = client.get(URL, {"q": "存在しない団体"}).content.decode()
    assert "該当する団体はありません" in body


def test_bad_filter_values_are_explained_not_a_crash(client, member, directory):
    client.force_login(member)
    response = client.get(URL, {"prefecture": "99", "block": "abc"})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()


def test_paginates(client, member, organisation):
    for number in range(45):
        factories.make_organisation(f"テスト財団{number:02d}", name_kana=f"テスト{number:02d}")
    client.force_login(member)
    first = client.get(URL)
    assert len(first.context["page"]) == 20
    third = client.get(URL, {"page": 3})
    assert len(third.context["page"]) == 46 - 40
    assert client.get(URL, {"page": "999"}).context["page"].number == 3


@pytest.mark.parametrize("extra", [0, 1000])
def test_query_budget(client, member, organisation, extra, django_assert_max_num_queries):
    factories.bulk_organisations(extra)
    client.force_login(member)
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"q": "財団"}).status_code == 200


@pytest.mark.parametrize(("role", "status"), [
    ("applicant", 403), ("judge", 403), ("staff_without_permissions", 403),
    ("secretariat_with_mfa", 200), ("member", 200),
])  # fmt: skip
def test_who_may_open_the_directory(client, request, organisation, role, status):
    client.force_login(request.getfixturevalue(role))
    assert client.get(URL).status_code == status


def test_anonymous_visitors_log_in_first(client):
    assert client.get(URL)["Location"].startswith(reverse("account_login"))


def test_organisations_without_membership_are_not_listed(client, member, organisation):
    Organisation.objects.create(
        name="会員ではない財団", kind=organisation.kind, block=organisation.block, prefecture=17
    )
    client.force_login(member)
    assert names(client.get(URL)) == ["公益財団法人石川県産業創出支援機構"]


def test_the_order_leaves_the_legal_form_out(client, member, organisation):
    """公益財団法人あおもり… sorts under ア, not under コ with every other 公益財団法人."""
    organisation.name_kana = "コウエキザイダンホウジンイシカワケンサンギョウソウシュツシエンキコウ"
    organisation.save()
    for name, reading in [
        ("株式会社ふくいテック", "カブシキガイシャフクイテック"),
        ("公益財団法人あおもり産業総合支援センター", "コウエキザイダンホウジンアオモリサンギョウ"),
        ("国立大学法人かなざわ大学", "コクリツダイガクホウジンカナザワダイガク"),
        ("一般社団法人うみの会", ""),  # no reading: its name without the legal form
    ]:
        factories.make_organisation(name, name_kana=reading)
    client.force_login(member)
    assert names(client.get(URL)) == [
        "公益財団法人あおもり産業総合支援センター",
        "公益財団法人石川県産業創出支援機構",
        "一般社団法人うみの会",  # ウミノ会
        "国立大学法人かなざわ大学",
        "株式会社ふくいテック",
    ]


def test_the_sort_key_is_stored_on_save_and_indexed(organisation):
    organisation.name_kana = "コウエキザイダンホウジン アオモリ"
    organisation.save(update_fields=["name_kana"])
    organisation.refresh_from_db()
    assert organisation.sort_key == "アオモリ"
    assert any(index.fields[0] == "sort_key" for index in Organisation._meta.indexes)
