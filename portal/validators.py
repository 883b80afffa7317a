"""Validators several apps share."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.kana import HIRAGANA_TO_KATAKANA

# Control characters (CR, LF, tab, NUL...) and the Unicode line and paragraph separators.
_NOT_IN_NAMES = {"Cc", "Zl", "Zp"}


def validate_name(value: str) -> None:
    """A name is one line: it goes into mail headers, greetings, PDFs and exports."""
    if any(unicodedata.category(char) in _NOT_IN_NAMES for char in value or ""):
        raise ValidationError(
            _("A name can't contain line breaks, tabs or other control characters."),
            code="control_characters",
        )


# --- Phone numbers, postal codes and readings ------------------------------------------------
# One normaliser and one validator each, for every form that has them (portal/formfields.py)
# and for the models of the registry. A normaliser turns what people type (full-width digits,
# any dash, 〒, hiragana, half-width kana) into the stored form and leaves anything it does not
# understand for the validator to refuse with a message saying what is expected.

# Dashes people type between digits, the katakana long vowel mark an input method puts there
# included: turned into "-".
_DASHES = re.compile(r"[\u002d\u2010-\u2015\u2212\u30fc\uff0d\uff70]+")
_SPACES = re.compile(r"\s+")


def _width(value: str) -> str:
    """Full-width digits, letters and brackets to ASCII, half-width kana to full width."""
    return unicodedata.normalize("NFKC", value or "").strip()


def normalise_phone(value: str) -> str:
    """「０３（１２３４）５６７８」 → "03-1234-5678": ASCII digits, one hyphen between groups,
    the area code in brackets written with a hyphen."""
    text = _width(value)
    text = re.sub(r"[()\s]+", "-", text)
    text = _DASHES.sub("-", text).strip("-")
    return text


def validate_phone(value: str) -> None:
    """Digits and hyphens, 10 or 11 digits starting with 0 (landline, mobile, 0120...), or an
    international number: "+" and 8 to 15 digits."""
    digits = value.replace("-", "")
    domestic = re.fullmatch(r"0\d{9,10}", digits)
    international = re.fullmatch(r"\+\d{8,15}", digits)
    if not re.fullmatch(r"\+?\d+(-\d+)*", value or "") or not (domestic or international):
        raise ValidationError(
            _(
                "Enter the phone number in digits and hyphens, 10 or 11 digits, "
                "e.g. 03-1234-5678 (an international number starts with +)."
            ),
            code="phone",
        )


def normalise_postal_code(value: str) -> str:
    """「〒９２０－８２０３」 or "920 8203" → "9208203", the 7 digits that are stored."""
    text = _width(value).removeprefix("〒").strip()
    return _SPACES.sub("", _DASHES.sub("", text))


def validate_postal_code(value: str) -> None:
    if not re.fullmatch(r"\d{7}", value or ""):
        raise ValidationError(
            _("Enter the postal code as 7 digits, e.g. 〒100-0001 or 1000001."), code="format"
        )


def format_postal_code(value: str) -> str:
    """ "1000001" → "〒100-0001", as a postal code is written; anything else as it is."""
    if re.fullmatch(r"\d{7}", value or ""):
        return f"〒{value[:3]}-{value[3:]}"
    return value or ""


# Full-width katakana, the middle dot, the long vowel mark and the iteration marks; a space
# between words (an organisation's reading).
_KATAKANA_READING = re.compile(r"[\u30a1-\u30fa\u30fb\u30fc\u30fd\u30fe]+( [\u30a1-\u30fe]+)*")


def normalise_katakana(value: str) -> str:
    """A reading (フリガナ) as stored: full-width katakana, hiragana and half-width kana
    converted (やまだ, ﾔﾏﾀﾞ → ヤマダ), single spaces between words."""
    text = _width(value).translate(HIRAGANA_TO_KATAKANA)
    return _SPACES.sub(" ", text).strip()


def validate_katakana(value: str) -> None:
    if value and not _KATAKANA_READING.fullmatch(value):
        raise ValidationError(
            _("Enter the reading in katakana (e.g. ヤマダ); hiragana is converted."),
            code="katakana",
        )
