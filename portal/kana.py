"""Japanese name normalisation for matching bank payers to organisations and for search.

A bank statement names the payer the way the bank's account holder is registered: half-width
katakana, small kana upper-cased (ｯ→ﾂ, ｮ→ﾖ) and the legal form abbreviated (ｻﾞｲ)...). The
registry holds kanji names, full-width readings and remembered aliases typed by people. These
functions fold all of them into one comparable form; they are pure so that the matcher, the
search and the tests can share them without a database.
"""

import re
import unicodedata

# Legal forms: long form → (kana readings, abbreviations). Long forms and readings are removed
# wherever they occur; abbreviations only together with their parenthesis, in the three Zengin
# positions ｶ)ﾅﾏｴ (前), ﾅﾏｴ(ｶ)ｼﾃﾝ (中) and ﾅﾏｴ(ｶ (後), which also covers kanji forms such as
# (株) and ㈱ (NFKC turns ㈱ into "(株)"). Write entries in natural spelling: they are folded
# like the names they are compared with.
# Source: the Zengin convention for 振込依頼人名 abbreviations (略語), as printed in banks'
# transfer guides; verify the full table against the bank's current list. Entries marked
# "verify" rest on fewer sources. 信用金庫, 信用組合 and the like are deliberately absent: they
# are part of a bank's name and tell banks apart, they are not a legal form to drop.
LEGAL_FORMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "株式会社": (("カブシキガイシャ", "カブシキカイシャ"), ("ｶ", "株")),
    "有限会社": (("ユウゲンガイシャ", "ユウゲンカイシャ"), ("ﾕ", "有")),
    "合同会社": (("ゴウドウガイシャ", "ゴウドウカイシャ"), ("ﾄﾞ", "同")),
    "合名会社": (("ゴウメイガイシャ", "ゴウメイカイシャ"), ("ﾒ", "名")),
    "合資会社": (("ゴウシガイシャ", "ゴウシカイシャ"), ("ｼ", "資")),
    "財団法人": (("ザイダンホウジン",), ("ｻﾞｲ", "財")),
    "一般財団法人": (("イッパンザイダンホウジン",), ("ｲﾂﾊﾟﾝｻﾞｲ", "ｲﾂｻﾞｲ", "一財")),  # verify
    "公益財団法人": (("コウエキザイダンホウジン",), ("ｺｳｻﾞｲ", "公財")),  # verify
    "社団法人": (("シャダンホウジン",), ("ｼﾔ", "社")),
    "一般社団法人": (("イッパンシャダンホウジン",), ("ｲﾂｼﾔ", "一社")),  # verify
    "公益社団法人": (("コウエキシャダンホウジン",), ("ｺｳｼﾔ", "公社")),  # verify
    "学校法人": (("ガッコウホウジン",), ("ｶﾞｸ", "学")),
    "国立大学法人": (("コクリツダイガクホウジン",), ("ﾀﾞｲ",)),  # verify
    "公立大学法人": (("コウリツダイガクホウジン",), ("ﾀﾞｲ",)),  # verify
    "独立行政法人": (("ドクリツギョウセイホウジン",), ("ﾄﾞｸ", "独")),
    "地方独立行政法人": (("チホウドクリツギョウセイホウジン",), ("ﾁﾄﾞｸ", "地独")),  # verify
    # No Zengin abbreviation known for 国立研究開発法人 (verify).
    "国立研究開発法人": (("コクリツケンキュウカイハツホウジン",), ("国研",)),
    "特定非営利活動法人": (("トクテイヒエイリカツドウホウジン",), ("ﾄｸﾋ", "特非")),
    "社会福祉法人": (("シャカイフクシホウジン",), ("ﾌｸ", "福")),
    "医療法人": (("イリョウホウジン",), ("ｲ", "医")),
}

_SMALL_KANA = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
# Hiragana ぁ..ゖ and the iteration marks ゝゞ sit exactly 0x60 below their katakana.
HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in (*range(0x3041, 0x3097), 0x309D, 0x309E)}
# Spaces (U+3000 is a space after NFKC) and the punctuation that varies between spellings of
# one name; ")" is the bracket of Zengin abbreviations such as ｶ).
_DROP = re.compile(r"[\s・().,「」]+")
# Dashes that stand for the long vowel mark after a katakana (Zengin files often use "-").
_KATAKANA = "\u30a1-\u30fa\u30fc"
_LONG_VOWEL = re.compile(
    rf"(?<=[{_KATAKANA}])[-\u2010-\u2015\u2212\u30fc\uff0d\uff70]+(?=[{_KATAKANA}]|$)"
)


def _fold(text: str) -> str:
    """Width, kana and case folding only: keeps spaces and brackets for strip_legal_form."""
    text = unicodedata.normalize("NFKC", text or "")
    return text.translate(HIRAGANA_TO_KATAKANA).translate(_SMALL_KANA).upper()


def normalise(text: str) -> str:
    """Fold a name so that spellings of it compare equal: ﾀﾞｲｶﾞｸ, だいがく and ダイガク all give
    ダイガク, ｼｮｳ gives シヨウ as in Zengin, spaces and punctuation go. Idempotent."""
    text = _DROP.sub("", _fold(text))
    return _LONG_VOWEL.sub(lambda m: "ー" * len(m.group()), text)


def _alternation(words) -> str:
    # Longest first, so that 公益財団法人 wins over the 財団法人 inside it.
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_WORDS = re.compile(
    _alternation(
        _fold(word)
        for long_form, (readings, _abbreviations) in LEGAL_FORMS.items()
        for word in (long_form, *readings)
    )
)
_ABBREVIATIONS = _alternation(
    _fold(abbr) for _readings, abbreviations in LEGAL_FORMS.values() for abbr in abbreviations
)
_ABBREVIATED = re.compile(
    rf"^\s*(?:{_ABBREVIATIONS})\s*\)|\(\s*(?:{_ABBREVIATIONS})\s*\)|\(\s*(?:{_ABBREVIATIONS})\s*$"
)


def strip_legal_form(text: str) -> str:
    """Remove legal forms (株式会社, カブシキガイシャ, ｶ), (株), ...) from a kana or kanji name.

    The result is width- and kana-folded (see normalise) but keeps spaces and brackets: the
    Zengin abbreviations are only recognisable by their bracket, which normalise drops, so
    folding happens here rather than before.
    """
    text = _ABBREVIATED.sub(" ", _fold(text).strip())
    return " ".join(_WORDS.sub(" ", text).split())


def match_key(text: str) -> str:
    """Key for comparing a payer name with organisation names, readings and aliases."""
    return normalise(strip_legal_form(text))


def sort_key(reading: str, name: str = "") -> str:
    """Where a name goes in an a-i-u-e-o list: its reading (else its name) without the legal
    form, folded, so that 公益財団法人ふくい産業支援センター sorts under フ, not under コ."""
    return match_key(reading) or match_key(name)


def bigrams(text: str) -> set[str]:
    """Character bigrams of the normalised text (a single character stands for itself): the
    unit of the fuzzy comparison and of an application-side bigram search."""
    text = normalise(text)
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient over the bigrams of the match keys, 0..1, for ranking unsure matches."""
    key_a, key_b = match_key(a), match_key(b)
    if not key_a or not key_b:
        return 0.0
    if key_a == key_b:
        return 1.0
    grams_a, grams_b = bigrams(key_a), bigrams(key_b)
    return 2 * len(grams_a & grams_b) / (len(grams_a) + len(grams_b))


def search_text(*parts: str) -> str:
    """What a record stores for substring search: each non-empty part normalised, one a line."""
    return "\n".join(normalise(part) for part in parts if part)
