"""The arithmetic of quorum and thresholds, in exact fractions (two thirds is not 0.667)."""

from fractions import Fraction


def reaches(part: int, whole: int, share: Fraction, *, strict: bool) -> bool:
    """Whether `part` of `whole` is more than (strict) or at least `share`; never of 0."""
    if whole <= 0:
        return False
    left, right = part * share.denominator, whole * share.numerator
    return left > right if strict else left >= right
