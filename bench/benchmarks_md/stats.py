"""Arithmetic on figures that may be missing (None), and order statistics."""


def div(a, b):
    """a / b, or None when either is missing or b is 0 (a ratio that cannot be told)."""
    if a is None or b is None or b == 0:
        return None
    return a / b


def upper_median(values):
    """The middle value, the upper one of an even count (no averaging, so the
    figure is one that was measured); None for no values."""
    values = sorted(values)
    return values[len(values) // 2] if values else None


def percentile(values, p):
    """The nearest-rank P-th percentile of VALUES, or None for no values."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else None
