"""The dashboard's charts as plain text, drawn by plotext (issue 15 §5, VIEW-3).

Pure builders: series in, lines of text out, no Textual, so a unit test can read what a
chart shows. Each series has its own marker (`+` created, `o` closed, `█` met, `░`
breached …) named in the chart's title, so nothing depends on colour. plotext draws on
one module-wide figure, hence the lock.
"""

import threading
from collections.abc import Sequence
from datetime import date

import plotext

#: A series: the marker its points or bars are drawn with, and its values.
Series = tuple[str, Sequence[int]]

_LOCK = threading.Lock()
#: Charts narrower or lower than this show a one-line note instead (no room for axes).
MIN_WIDTH = 24
MIN_HEIGHT = 6


def day_label(day: date) -> str:
    """`11-23`: month and day, as the charts' x axis writes a day."""
    return day.strftime("%m-%d")


def _int_ticks(top: int) -> list[int]:
    """Whole-number y ticks from 0 to at least `top` (counts are never fractional)."""
    step = max(1, -(-top // 4))
    return list(range(0, max(top, 1) + step, step))


def _start(title: str, width: int, height: int) -> None:
    figure = plotext.figure
    figure.clear()
    figure.plot_size(width, height)
    figure.theme("colorless")
    figure.title(title)


def _y_axis(top: int) -> None:
    ticks = _int_ticks(top)
    plotext.figure.ruler("y").ticks(ticks, [str(t) for t in ticks])
    plotext.figure.ruler("y").lim(0, ticks[-1])


def _x_labels(count: int, labels: Sequence[str], width: int) -> None:
    """At most one label every ~12 columns, always the first and the last."""
    if count == 0:
        return
    shown = max(2, min(count, width // 12))
    positions = sorted({round(1 + i * (count - 1) / (shown - 1)) for i in range(shown)})
    plotext.figure.ruler("x").ticks(positions, [labels[p - 1] for p in positions])


def _built() -> str:
    text: str = plotext.figure.build().string(colorless=True)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _too_small(title: str, width: int, height: int) -> str | None:
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return f"{title} (too small to draw)"
    return None


def points_chart(
    title: str, series: Sequence[Series], labels: Sequence[str], width: int, height: int
) -> str:
    """Each series as points over the x `labels` (one value per label), `width` x `height`
    cells; the title names each series' marker."""
    if note := _too_small(title, width, height):
        return note
    count = len(labels)
    with _LOCK:
        _start(title, width, height)
        xs = list(range(1, count + 1))
        top = 0
        for marker, values in series:
            if values:
                plotext.figure.draw(plotext.figure.signal(xs, list(values), marker=marker))
                top = max(top, *values)
        _y_axis(top)
        _x_labels(count, labels, width)
        return _built()


def bar_chart(
    title: str,
    categories: Sequence[str],
    groups: Sequence[Series],
    width: int,
    height: int,
    *,
    stacked: bool = False,
) -> str:
    """Bars per category, one bar (or, `stacked`, one part of the bar) per group, each
    group drawn with its marker; the title names the markers."""
    if note := _too_small(title, width, height):
        return note
    if not categories:
        return f"{title}\n(nothing to show)"
    with _LOCK:
        _start(title, width, height)
        heights = [list(values) for _, values in groups]
        markers = [marker for marker, _ in groups]
        plotext.figure.draw(
            plotext.figure.bar(list(categories), heights, marker=markers, stacked=stacked)
        )
        if stacked:
            top = max((sum(column) for column in zip(*heights, strict=True)), default=0)
        else:
            top = max((max(values, default=0) for values in heights), default=0)
        _y_axis(top)
        return _built()
