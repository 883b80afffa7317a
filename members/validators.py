import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import validators


def corporate_number_check_digit(base12: str) -> int:
    """法人番号 check digit: 9 − (Σ Pn·Qn mod 9), n counted from the right, Q = 1 odd, 2 even."""
    total = sum(int(d) * (2 if n % 2 == 0 else 1) for n, d in enumerate(reversed(base12), 1))
    return 9 - total % 9


def validate_corporate_number(value: str) -> None:
    if not re.fullmatch(r"\d{13}", value or ""):
        raise ValidationError(_("A corporate number has exactly 13 digits."), code="format")
    if int(value[0]) != corporate_number_check_digit(value[1:]):
        raise ValidationError(
            _("The check digit of this corporate number is wrong; please check the number."),
            code="check_digit",
        )


# The one postal code rule is portal's; migrations name it here.
validate_postal_code = validators.validate_postal_code
