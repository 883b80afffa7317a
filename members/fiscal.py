"""The Japanese fiscal year (年度): 1 April to 31 March, named by the year it starts in."""

from datetime import date

from django.utils import timezone

FIRST_MONTH = 4


def fiscal_year_of(day: date) -> int:
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def current_fiscal_year() -> int:
    return fiscal_year_of(timezone.localdate())


def bounds(fiscal_year: int) -> tuple[date, date]:
    return date(fiscal_year, FIRST_MONTH, 1), date(fiscal_year + 1, FIRST_MONTH - 1, 31)
