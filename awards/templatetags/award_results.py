"""The results table's judge columns: thousands of cells at a large round, written as one
piece of markup per row instead of through the template engine cell by cell."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

CELL = '<td class="text-end text-nowrap">{}</td>'
Z = ' <span class="text-body-secondary">({})</span>'


@register.filter
def judge_cells(result) -> str:
    """One `<td>` per judge: the score, and z in brackets where there is one. Safe as it
    stands: both are numbers the results formatted themselves (or "—"), never typed text."""
    return mark_safe(
        "".join(
            CELL.format(score + (Z.format(z) if z else "")) for score, z in result.judge_values
        )
    )
