"""Name folding for payer matching: hand-made spellings as banks and people write them."""

import pytest

from portal.kana import bigrams, match_key, normalise, similarity, strip_legal_form

ISICO_ZENGIN = "ｻﾞｲ)ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳｿｳｼﾕﾂｼｴﾝｷｺｳ"
ISICO_READING = "コウエキザイダンホウジンイシカワケンサンギョウソウシュツシエンキコウ"
ASTEM_READING = "コウエキザイダンホウジンキョウトコウドギジュツケンキュウショ"


def test_zengin_abbreviation_and_full_reading_give_the_same_key():
    assert match_key(ISICO_ZENGIN) == match_key(ISICO_READING)
    assert match_key(ISICO_READING) == "イシカワケンサンギヨウソウシユツシエンキコウ"


@pytest.mark.parametrize(
    "payer",
    [
        "ｶ)ﾎｸﾖｳｷﾞﾝｺｳ",  # 前株
        "ﾎｸﾖｳｷﾞﾝｺｳ(ｶ",  # 後株
        "ｶ) ﾎｸﾖｳｷﾞﾝｺｳ",
        "（株）ほくようぎんこう",
        "カブシキカイシャホクヨウギンコウ",
        "ホクヨウギンコウ カブシキガイシャ",
    ],
)
def test_kabushiki_gaisha_in_any_spelling_or_position(payer):
    assert match_key(payer) == match_key("カブシキガイシャホクヨウギンコウ") == "ホクヨウギンコウ"


def test_abbreviation_in_the_middle_is_removed():
    assert match_key("ﾎｸﾖｳ(ｶ)ｶﾅｻﾞﾜｼﾃﾝ") == "ホクヨウカナザワシテン"


@pytest.mark.parametrize(
    ("zengin", "reading"),
    [
        ("ﾀﾞｲ)ｶﾅｻﾞﾜﾀﾞｲｶﾞｸ", "コクリツダイガクホウジンカナザワダイガク"),
        ("ｶﾞｸ)ｶﾅｻﾞﾜｺｳｷﾞﾖｳﾀﾞｲｶﾞｸ", "ガッコウホウジンカナザワコウギョウダイガク"),
        ("ｲﾂｼﾔ)ｲﾉﾍﾞ-ｼﾖﾝﾈﾂﾄ", "イッパンシャダンホウジンイノベーションネット"),
        ("ｺｳｼﾔ)ｷﾞｼﾞﾕﾂｼﾝｺｳｷﾖｳｶｲ", "コウエキシャダンホウジンギジュツシンコウキョウカイ"),
        ("ｲﾂﾊﾟﾝｻﾞｲ)ｻﾝｷﾞﾖｳｼﾝｺｳｻﾞｲﾀﾞﾝ", "イッパンザイダンホウジンサンギョウシンコウザイダン"),
        ("ｲﾂｻﾞｲ)ｻﾝｷﾞﾖｳｼﾝｺｳｻﾞｲﾀﾞﾝ", "イッパンザイダンホウジンサンギョウシンコウザイダン"),
        (
            "ﾄﾞｸ)ﾁﾕｳｼﾖｳｷｷﾞﾖｳｷﾊﾞﾝｾｲﾋﾞｷｺｳ",
            "ドクリツギョウセイホウジンチュウショウキギョウキバンセイビキコウ",
        ),
        ("ﾕ)ﾀﾅｶｼﾖｳﾃﾝ", "ユウゲンガイシャタナカショウテン"),
        ("ｼﾔ)ﾎｸﾘｸｹｲｻﾞｲｹﾝｷﾕｳｼﾞﾖ", "シャダンホウジンホクリクケイザイケンキュウジョ"),
    ],
)
def test_zengin_abbreviations_match_the_long_reading(zengin, reading):
    assert match_key(zengin) == match_key(reading)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("公益財団法人石川県産業創出支援機構", "石川県産業創出支援機構"),
        ("国立大学法人　金沢大学", "金沢大学"),
        ("㈱北陸製作所", "北陸製作所"),
        ("北陸製作所株式会社", "北陸製作所"),
        ("地方独立行政法人大阪産業技術研究所", "大阪産業技術研究所"),
        ("国立研究開発法人産業技術総合研究所", "産業技術総合研究所"),
    ],
)
def test_kanji_legal_forms_are_removed(name, expected):
    assert match_key(name) == expected


@pytest.mark.parametrize("bank", ["金沢信用金庫", "ｶﾅｻﾞﾜｼﾝｷﾝ", "カナザワシンヨウキンコ"])
def test_shinkin_bank_is_not_a_legal_form(bank):
    assert match_key(bank) == normalise(bank)


@pytest.mark.parametrize("name", ["ｶﾜｲｼﾖｳｼﾞ", "ｲｼｶﾜｹﾝ", "ﾕｳｷ", "ｶﾞｸｼﾕｳｼﾔ"])
def test_name_starting_like_an_abbreviation_keeps_its_letters(name):
    assert match_key(name) == normalise(name)


def test_strip_legal_form_keeps_spaces_for_later_normalising():
    assert strip_legal_form("ｶ) ﾎｸﾖｳ ｷﾞﾝｺｳ") == "ホクヨウ ギンコウ"


def test_small_kana_are_upper_cased_as_in_zengin():
    assert normalise("ｼｮｳｺｳｶｲｷﾞｼｮ") == normalise("ｼﾖｳｺｳｶｲｷﾞｼﾖ") == "シヨウコウカイギシヨ"
    assert normalise("ァィゥェォッャュョヮヵヶ") == "アイウエオツヤユヨワカケ"


def test_hiragana_and_katakana_compare_equal():
    assert normalise("しょうこうかいぎしょ") == normalise("ショウコウカイギショ")
    assert normalise("ゔぁいおりん") == "ヴアイオリン"


def test_width_and_case_are_folded_and_dakuten_survive():
    assert normalise("ﾀﾞｲｶﾞｸ") == "ダイガク"
    assert normalise("ﾊﾟﾅｿﾆｯｸ") == "パナソニツク"
    assert normalise("ＩＳＩＣＯ　Ｎｅｔ") == "ISICONET"
    assert normalise("isico ２０２５") == "ISICO2025"


@pytest.mark.parametrize("spelling", ["データセンター", "ﾃﾞｰﾀｾﾝﾀｰ", "ﾃﾞ-ﾀｾﾝﾀ-", "デ‐タセンタ−"])
def test_long_vowel_variants_are_unified(spelling):
    assert normalise(spelling) == "データセンター"


def test_hyphen_between_latin_letters_or_digits_is_kept():
    assert normalise("ABC-123") == "ABC-123"


def test_spaces_and_punctuation_are_removed():
    assert normalise("「石川・富山」（北陸）. 連携, 会") == "石川富山北陸連携会"
    assert normalise("ｲｼｶﾜ ｹﾝ\u3000ｻﾝｷﾞﾖｳ") == "イシカワケンサンギヨウ"


@pytest.mark.parametrize(
    "text", [ISICO_ZENGIN, ISICO_READING, "ﾃﾞ -ﾀ", "ア -イ", "ＡＢＣ－ｶﾞ", "ひらがな　カタカナ"]
)
def test_normalise_is_idempotent(text):
    assert normalise(normalise(text)) == normalise(text)


def test_bigrams():
    assert bigrams("アイウ") == {"アイ", "イウ"}
    assert bigrams("ｱｲｱｲ") == {"アイ", "イア"}
    assert bigrams("ア") == {"ア"}
    assert bigrams(" ") == set()


def test_similarity_ranks_the_own_name_first():
    own = similarity(ISICO_ZENGIN, ISICO_READING)
    abridged = similarity(ISICO_ZENGIN, "イシカワケンサンギョウシエンキコウ")
    other = similarity(ISICO_ZENGIN, ASTEM_READING)
    unrelated = similarity(ISICO_ZENGIN, "ﾄﾔﾏ")
    assert own == 1.0
    assert 1.0 > abridged > other > unrelated == 0.0


def test_similarity_is_symmetric_and_bounded():
    a, b = "ｲｼｶﾜｹﾝｻﾝｷﾞﾖｳ", "イシカワケンサンギョウシンコウ"
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 < similarity(a, b) < 1.0
    assert similarity("", "") == 0.0
    assert similarity("ｶ)", "株式会社") == 0.0
