"""What each point of a score scale means: the legend a judge reads beside the sheet and the
words each choice carries. The standard scale is 1 to 5; a shorter one (2 to 4 points)
takes the words at the same places, a longer one names only its two ends."""

from django.utils.translation import gettext_lazy as _

WORDS = [
    _("poor"),
    _("weak"),
    _("adequate"),
    _("good"),
    _("outstanding"),
]


def points(low: int, high: int) -> list[tuple[int, str]]:
    """(point, meaning) from `low` to `high`; a meaning is "" where the scale has none."""
    count = high - low + 1
    if count < 2:
        return [(low, "")]
    last = len(WORDS) - 1
    if count <= len(WORDS):
        return [(low + n, str(WORDS[round(n * last / (count - 1))])) for n in range(count)]
    inner = [(point, "") for point in range(low + 1, high)]
    return [(low, str(WORDS[0])), *inner, (high, str(WORDS[last]))]


def legends(criteria) -> list[dict]:
    """One legend per distinct scale among `criteria`, with the criteria that use it."""
    scales: dict[tuple[int, int], list] = {}
    for criterion in criteria:
        scales.setdefault((criterion.scale_min, criterion.scale_max), []).append(criterion)
    return [
        {"low": low, "high": high, "points": points(low, high), "criteria": used}
        for (low, high), used in scales.items()
    ]
