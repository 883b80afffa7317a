"""The public winners archive and the import of past editions."""

import pytest
from django.urls import reverse

from awards import archive_import, decisions
from awards.models import Decision, Edition
from portal.tabular import Rejected
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "年度,部門,賞,名称,団体名,都道府県,概要,キーワード,講評\n"
ROWS = (
    "2019,プログラム,経済産業大臣賞,中小企業技術評価制度,公益財団法人ひょうご産業活性化センター,兵庫県,"
    "技術と経営を評価する。,技術評価,他県にも広がった。\n"
    "2019,支援者,優秀賞,長野 花子,長野県テクノ財団,長野,精密加工の支援。,コーディネータ,\n"
    "2020,プログラム,文部科学大臣賞,ｻﾝｶﾞｸ連携プラットフォーム,東北大学,Miyagi,大学と地域企業。,産学連携,\n"
)


def import_csv(text: str, name="archive.csv", encoding="utf-8-sig") -> int:
    return archive_import.import_winners(text.encode(encoding), name)


def test_past_winners_import_and_a_second_import_changes_nothing():
    assert import_csv(HEADER + ROWS) == 3
    assert import_csv(HEADER + ROWS, encoding="cp932") == 0
    assert Edition.objects.count() == 2 and Decision.objects.count() == 3
    winner = Decision.objects.get(entry__title="中小企業技術評価制度")
    assert winner.edition.is_announced() and winner.entry.prefecture == 28
    assert winner.comment == "他県にも広がった。" and winner.entry.track.kind == "programme"


def test_a_file_with_problems_imports_nothing_and_names_row_and_column():
    bad = HEADER + ROWS + "20xx,部門不明,優秀賞,,団体,火星,,,\n"
    with pytest.raises(Rejected) as rejected:
        import_csv(bad)
    found = {(p["row"], p["column"]) for p in rejected.value.problems}
    assert {(5, "年度"), (5, "部門"), (5, "名称"), (5, "都道府県")} <= found
    assert not Decision.objects.exists()
    with pytest.raises(Rejected):
        import_csv("名称\nx\n")


def test_the_archive_searches_in_any_kana_or_width_and_filters(client):
    import_csv(HEADER + ROWS)
    url = reverse("awards:winners")

    def titles(**params):
        return [d.entry.title for d in client.get(url, params).context["page"]]

    assert titles(q="さんがく") == ["サンガク連携プラットフォーム"]  # NFKC at import
    assert titles(q="ｻﾝｶﾞｸ") == ["サンガク連携プラットフォーム"]
    assert titles(q="技術　評価") == ["中小企業技術評価制度"]  # words, full-width space
    assert titles(year="2019", track="individual") == ["長野 花子"]
    assert titles(prize="文部科学大臣賞") == ["サンガク連携プラットフォーム"]
    assert titles(prefecture="28") == ["中小企業技術評価制度"]
    assert len(titles()) == 3
    detail = client.get(
        reverse("awards:winner", args=[Decision.objects.get(entry__prefecture=28).pk])
    )
    assert "他県にも広がった。" in detail.content.decode()


def test_the_admin_imports_a_file_and_shows_problems(client, secretariat_with_mfa):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(secretariat_with_mfa)
    url = reverse("admin:awards_edition_import")
    bad = SimpleUploadedFile("a.csv", (HEADER + "2019,x,賞,名,団体,,,,\n").encode())
    response = client.post(url, {"file": bad})
    assert response.status_code == 200 and response.context["problems"][0]["column"] == "部門"
    good = SimpleUploadedFile("a.csv", (HEADER + ROWS).encode())
    assert client.post(url, {"file": good}).status_code == 302
    assert Decision.objects.count() == 3


def test_an_edition_not_announced_is_not_in_the_archive(client, judging_edition, secretariat):
    entry = factories.make_entry(judging_edition, title="未発表")
    decisions.decide(judging_edition.prizes.first(), entry, secretariat, reason="x")
    assert client.get(reverse("awards:winners")).context["page"].paginator.count == 0
