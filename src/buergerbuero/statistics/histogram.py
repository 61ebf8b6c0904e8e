"""Durations as a histogram from which the median and the 90th percentile can be read.

A duration is stored as the lower bound of its bucket: to the second below ten minutes
would be exact but makes an hour's histogram a list of single waits, so buckets are
5 seconds wide below 10 minutes, 1 minute below 2 hours and 15 minutes beyond (up to 24
hours; anything longer counts as 24 hours). A percentile read from the histogram is the
bucket's lower bound, so it is at most one bucket width (5 s, 1 min, 15 min) below the
true value, and exact for durations that fall on a bucket bound.

Percentiles use the nearest-rank definition: the p-th percentile of n values is the value
at rank ⌈p·n/100⌉ in ascending order; the median is p = 50 (for an even count, the lower
of the two middle values). No interpolation, so every figure shown is a duration that
was really measured (to the bucket's precision).
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping

# (below this many seconds, the bucket width)
STEPS = ((600, 5), (7200, 60), (86400, 900))
LONGEST = 86400

Histogram = dict[int, int]


def bucket(seconds: float) -> int:
    """The lower bound of the bucket `seconds` falls in (negative counts as 0: two
    processes' clocks may disagree by a moment)."""
    value = min(max(0, math.floor(seconds)), LONGEST)
    for below, width in STEPS:
        if value < below:
            return value - value % width
    return LONGEST


def histogram(durations: Iterable[float]) -> Histogram:
    return dict(sorted(Counter(bucket(seconds) for seconds in durations).items()))


def to_json(counts: Mapping[int, int]) -> dict[str, int]:
    """JSON objects have string keys."""
    return {str(key): count for key, count in sorted(counts.items())}


def from_json(stored: Mapping[str, int]) -> Histogram:
    return {int(key): count for key, count in stored.items()}


def merge(histograms: Iterable[Mapping[int, int]]) -> Histogram:
    total: Counter[int] = Counter()
    for counts in histograms:
        total.update(counts)
    return dict(sorted(total.items()))


def percentile(counts: Mapping[int, int], p: int) -> int | None:
    """Nearest rank; None for an empty histogram."""
    n = sum(counts.values())
    if n == 0:
        return None
    rank = max(1, -(-p * n // 100))  # ⌈p·n/100⌉ in integers
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to n")
