"""A question's result as a horizontal bar chart, drawn on the server as SVG.

The same drawing is shown on the results page and downloaded as an image for the
secretariat's reports (no script, no style attribute: colours and sizes are SVG attributes,
so the strict CSP holds and the file stands alone). One bar per option, or one per option
and group (membership class or block) when the results are broken down; each bar is the
share of the institutions shown the question (of the group), or the average share of a
percentage breakdown, and the chart states that base under its title.
"""

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .models import Kind
from .results import QuestionResult, Results

WIDTH = 760
LABEL_WIDTH = 250  # the options' labels, left of the bars
PLOT_X = LABEL_WIDTH + 10
PLOT_WIDTH = 380  # 100%
BAR, GAP, ROW_GAP, LINE = 14, 2, 10, 15
LABEL_UNITS = 40  # half-width characters on one line of a label (12px text)
TITLE_UNITS = 110
# Okabe and Ito's palette, told apart by readers with colour blindness; grey after it.
COLOURS = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
    "#999999",
    "#666666",
]

CHARTED_KINDS = frozenset({Kind.SINGLE, Kind.MULTIPLE, Kind.RATING, Kind.BREAKDOWN})


def units(text: str) -> int:
    """Display width: a full-width character takes two half-width places."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int, lines: int) -> list[str]:
    """The text in at most `lines` lines of `width` places, the last cut with an ellipsis."""
    out, line = [], ""
    for char in text:
        if units(line + char) > width:
            out.append(line)
            line = ""
        line += char
    out.append(line)
    if len(out) > lines:
        out = out[:lines]
        last = out[-1]
        while last and units(last + "…") > width:
            last = last[:-1]
        out[-1] = last + "…"
    return out


@dataclass
class Bar:
    y: int
    width: float
    colour: str
    text: str  # the value written after the bar
    text_x: float
    series: str


@dataclass
class Row:
    y: int  # top of the row
    label_lines: list[tuple[int, str]]  # (baseline, text)
    label: str
    bars: list[Bar] = field(default_factory=list)


@dataclass
class Chart:
    ident: str
    width: int
    height: int
    title_lines: list[tuple[int, str]]
    base: str
    base_y: int
    plot_top: int
    plot_bottom: int
    ticks: list[tuple[float, int]]  # (x, percent)
    rows: list[Row]
    legend: list[tuple[int, int, str, str]]  # (x, y, colour, label)
    plot_x: int = PLOT_X
    label_width: int = LABEL_WIDTH


def _value(result: QuestionResult, cell) -> Decimal | None:
    return cell.average if result.averaged else cell.percent


def _text(result: QuestionResult, cell) -> str:
    value = _value(result, cell)
    shown = "—" if value is None else f"{value}%"
    return shown if result.averaged else f"{cell.count} ({shown})"


def chart(result: QuestionResult) -> Chart | None:
    """The chart of a choice or breakdown question; None for other kinds."""
    question = result.question
    if question.kind not in CHARTED_KINDS or not result.rows:
        return None
    series = [(g.label, i) for i, (g, _cell) in enumerate(result.columns) if not g.hidden]
    if not result.columns:
        series = [(_("All"), None)]
    title = f"{question.code} {question.heading}"
    if question.kind == Kind.MULTIPLE:
        title += " " + _("(multiple answers)")
    title_lines = [(22 + LINE * n, line) for n, line in enumerate(wrap(title, TITLE_UNITS, 2))]
    base_y = title_lines[-1][0] + LINE + 2
    top = base_y + 16
    rows, y = [], top
    for option_row in result.rows:
        lines = wrap(option_row.option.label, LABEL_UNITS, 2)
        height = max(len(series) * (BAR + GAP) - GAP, len(lines) * LINE)
        label_top = y + (height - len(lines) * LINE) // 2
        row = Row(
            y=y,
            label=option_row.option.label,
            label_lines=[(label_top + LINE * (n + 1) - 3, line) for n, line in enumerate(lines)],
        )
        bars_top = y + (height - (len(series) * (BAR + GAP) - GAP)) // 2
        for n, (name, index) in enumerate(series):
            cell = option_row.total if index is None else option_row.groups[index]
            value = _value(result, cell) or Decimal(0)
            width = float(min(value, Decimal(100))) * PLOT_WIDTH / 100
            row.bars.append(
                Bar(
                    y=bars_top + n * (BAR + GAP),
                    width=round(width, 1),
                    colour=COLOURS[(index or 0) % len(COLOURS)],
                    text=_text(result, cell),
                    text_x=round(PLOT_X + width + 4, 1),
                    series=name,
                )
            )
        rows.append(row)
        y += height + ROW_GAP
    bottom = y - ROW_GAP + 4
    legend = []
    if result.columns:
        x, legend_y = PLOT_X, bottom + 26
        for name, index in series:
            if x + 24 + 8 * units(name) > WIDTH:
                x, legend_y = PLOT_X, legend_y + LINE + 4
            legend.append((x, legend_y, COLOURS[index % len(COLOURS)], name))
            x += 24 + 7 * units(name) + 16
        height = legend_y + 12
    else:
        height = bottom + 24
    return Chart(
        ident=f"chart-q{question.pk}",
        width=WIDTH,
        height=height,
        title_lines=title_lines,
        base=result.base,
        base_y=base_y,
        plot_top=top - 4,
        plot_bottom=bottom,
        ticks=[(PLOT_X + PLOT_WIDTH * p / 100, p) for p in (0, 25, 50, 75, 100)],
        rows=rows,
        legend=legend,
    )


def attach(results: Results) -> Results:
    for result in results.questions:
        result.chart = chart(result)
    return results


def svg(result: QuestionResult) -> str:
    return render_to_string("surveys/chart.svg", {"chart": chart(result)})
