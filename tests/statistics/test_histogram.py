"""Durations in buckets, and nearest-rank percentiles read from them."""

from buergerbuero.statistics.histogram import (
    bucket,
    from_json,
    histogram,
    merge,
    percentile,
    to_json,
)


def test_bucket_widths_grow_with_the_duration():
    assert [bucket(s) for s in (-3, 0, 4.9, 5, 599, 600, 659, 7199, 7200, 8099, 90000)] == [
        0, 0, 0, 5, 595, 600, 600, 7140, 7200, 7200, 86400,
    ]  # fmt: skip


def test_percentiles_are_nearest_rank():
    counts = histogram([60, 300, 1200])
    assert counts == {60: 1, 300: 1, 1200: 1}
    assert (percentile(counts, 50), percentile(counts, 90)) == (300, 1200)
    # Ten values: the median is the 5th, the 90th percentile the 9th.
    ten = histogram([5 * n for n in range(1, 11)])
    assert (percentile(ten, 50), percentile(ten, 90), percentile(ten, 100)) == (25, 45, 50)
    # Even count: the lower middle value.
    assert percentile(histogram([10, 20]), 50) == 10
    assert percentile({}, 50) is None


def test_merged_hours_give_the_percentile_of_all_their_durations():
    first, second = histogram([60, 60, 600]), histogram([120, 3600])
    assert merge([first, second]) == {60: 2, 120: 1, 600: 1, 3600: 1}
    assert percentile(merge([first, second]), 50) == 120
    assert percentile(merge([first, second]), 90) == 3600


def test_json_round_trip():
    counts = {600: 2, 5: 1}
    assert to_json(counts) == {"5": 1, "600": 2}
    assert from_json(to_json(counts)) == {5: 1, 600: 2}
