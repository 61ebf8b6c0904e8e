"""Bar charts as server-rendered SVG: geometry here, drawing in
templates/console/_bar_chart.html. No script, no style attribute (strict CSP): colours
come from site.css classes. The figures of every chart are also in the data table beside
it, which is what a screen reader reads; the SVG itself is one image with a title."""

from dataclasses import dataclass

WIDTH = 640
HEIGHT = 220
LEFT = 48  # room for the axis labels
BOTTOM = 28
TOP = 12
MAX_LABELS = 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str
    bars: list[Bar]
    ticks: list[Tick]
    top_label: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM
    top: int = TOP


def _nice_ceiling(value: float) -> int:
    """1, 2, 5, 10, 20, 50 … at or above `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


# Round tops for an axis of durations: whole minutes and hours rather than 8:20.
DURATION_TOPS = (60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 14400, 28800, 86400)


def duration_ceiling(value: float) -> int:
    return next((top for top in DURATION_TOPS if top >= value), DURATION_TOPS[-1])


def bar_chart(
    chart_id: str,
    title: str,
    summary: str,
    labels: list[str],
    values: list[float | None],
    shown: list[str],
    unit_format=str,
    ceiling=_nice_ceiling,
) -> Chart:
    """One bar per value (None or 0: no bar); `shown` is each value as text; the y axis runs
    from 0 to a round number at or above the largest value."""
    top = ceiling(max([v for v in values if v is not None] or [0]))
    plot_width = WIDTH - LEFT - 8
    slot = plot_width / max(1, len(values))
    plot_height = HEIGHT - BOTTOM - TOP
    bars = []
    for index, (label, value, text) in enumerate(zip(labels, values, shown, strict=True)):
        if not value:  # no figure, or zero: nothing to draw
            continue
        height = plot_height * value / top
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 2),
                y=round(HEIGHT - BOTTOM - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                label=label,
                value=text,
            )
        )
    every = max(1, -(-len(labels) // MAX_LABELS))
    ticks = [
        Tick(x=round(LEFT + index * slot + slot / 2, 2), label=label)
        for index, label in enumerate(labels)
        if index % every == 0
    ]
    return Chart(chart_id, title, summary, bars, ticks, unit_format(top))


def duration(seconds: int | None) -> str:
    """7:05 (minutes and seconds), 1:02:00 from an hour on; a dash for no figure."""
    if seconds is None:
        return "–"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
