"""How the portal writes people's and organisations' names: the one place for name order and
honorifics, used by every page, mail, export and document (template filters in
portal/templatetags/names.py).

- A person's display name is family name first (「山田 花子」), in both languages. Only a name
  written entirely in Latin letters (a romanised or a foreign name) is given name first on the
  English pages and mails ("Hanako Yamada"): English readers expect that order for a Latin
  name, while a name in kanji or kana keeps its own order everywhere.
- A person is addressed with 様 (「山田 花子 様」), an organisation or a department with 御中
  (「○○財団 御中」); in English the same lines read "Dear Hanako Yamada," and "To ○○財団".
  Documents that are Japanese whatever the reader's language (invoices) build them under
  translation.override("ja").
"""

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

# Latin letters (with accents), spaces, and the punctuation of romanised names: O'Brien,
# Jean-Luc, Ōno.
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff .'\-]+")


def _is_latin(*parts: str) -> bool:
    return all(_LATIN.fullmatch(part) for part in parts if part)


def person_name(family: str, given: str, *, language: str | None = None) -> str:
    """「山田 花子」: family name first, a space between; "Hanako Yamada" for a Latin name on
    the English pages. Either part may be empty."""
    family, given = str(family or "").strip(), str(given or "").strip()
    language = language or get_language() or ""
    if language.startswith("en") and _is_latin(family, given):
        family, given = given, family
    return " ".join(part for part in (family, given) if part)


def display_name(who) -> str:
    """The display name of a Person (family_name, given_name), a user (last_name,
    first_name) or a name already written out (a str, returned as it is)."""
    if who is None:
        return ""
    if isinstance(who, str):
        return who.strip()
    if hasattr(who, "family_name"):
        return person_name(who.family_name, who.given_name)
    if hasattr(who, "last_name"):
        return person_name(who.last_name, who.first_name)
    return str(who)


def to_person(who) -> str:
    """「山田 花子 様」, "Dear Hanako Yamada,": a person addressed at the head of a mail or a
    document. Empty when there is no name."""
    name = display_name(who)
    return _("Dear %(name)s,") % {"name": name} if name else ""


def to_organisation(name) -> str:
    """「○○財団 御中」, "To ○○財団": an organisation or a department addressed."""
    name = str(name or "").strip()
    return _("To %(name)s") % {"name": name} if name else ""


def addressee(organisation, person=None) -> str:
    """The head of a letter: the organisation on its own line above the person addressed
    (「○○財団\\n山田 花子 様」), or the organisation with 御中 when no person is named."""
    person_line = to_person(person)
    organisation = str(organisation or "").strip()
    if not person_line:
        return to_organisation(organisation)
    return f"{organisation}\n{person_line}" if organisation else person_line
