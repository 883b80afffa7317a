"""Invoice arithmetic for qualified invoices (適格請求書): tax is computed once per rate."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

# Tax categories of an invoice line: the rate in percent, or None when no tax applies.
TAX_RATES = {"outside": None, "exempt": None, "standard": 10, "reduced": 8}


@dataclass(frozen=True)
class RateTotal:
    category: str
    rate: int | None
    amount: int  # yen, tax excluded
    tax: int  # yen


def rate_totals(lines) -> list[RateTotal]:
    """Totals per tax category of (category, amount) pairs; tax rounded down once per rate."""
    amounts: dict[str, int] = defaultdict(int)
    for category, amount in lines:
        amounts[category] += amount
    totals = []
    for category in TAX_RATES:
        if category in amounts:
            rate = TAX_RATES[category]
            tax = (
                0
                if rate is None
                else int((Decimal(amounts[category]) * rate / 100).to_integral_value(ROUND_FLOOR))
            )
            totals.append(RateTotal(category, rate, amounts[category], tax))
    return totals
