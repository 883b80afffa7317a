"""Validators several apps share."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Control characters (CR, LF, tab, NUL...) and the Unicode line and paragraph separators.
_NOT_IN_NAMES = {"Cc", "Zl", "Zp"}


def validate_name(value: str) -> None:
    """A name is one line: it goes into mail headers, greetings, PDFs and exports."""
    if any(unicodedata.category(char) in _NOT_IN_NAMES for char in value or ""):
        raise ValidationError(
            _("A name can't contain line breaks, tabs or other control characters."),
            code="control_characters",
        )
