"""View models of the misconception report: its three tables (the course, per topic, per student)
with a weekly chart per row, and the same tables as CSV rows.

A chart is an SVG drawn server-side (no script, no style attribute: the site's CSP), one bar
per week on the report's common scale; it is role="img" with a text equivalent listing every
week's count, and the table beside it has the same numbers as text.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from analytics.misconception_report import MisconceptionReport, Row

BAR_WIDTH = 8
BAR_GAP = 2
CHART_HEIGHT = 24


@dataclass(frozen=True)
class WeekBar:
    x: int
    y: float
    width: int
    height: float


@dataclass(frozen=True)
class WeekChart:
    width: int
    height: int
    bars: list[WeekBar]
    text: str  # what a screen reader reads instead of the picture

    @property
    def svg(self) -> SafeString:
        """The chart's markup, built here rather than by a template include per row: a class
        of hundreds of students has a row per student and misconception."""
        bars = format_html_join(
            "",
            '<rect class="week-bar" x="{}" y="{}" width="{}" height="{}" fill="#b02a37"/>',
            (
                (bar.x, f"{bar.y:g}", bar.width, f"{bar.height:g}")
                for bar in self.bars
                if bar.height
            ),
        )
        return format_html(
            '<svg class="week-chart" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
            'aria-label="{text}"><title>{text}</title>'
            '<rect x="0" y="0" width="{w}" height="{h}" fill="#f8f9fa"/>{bars}</svg>',
            w=self.width,
            h=self.height,
            text=self.text,
            bars=bars,
        )


def week_label(week: date) -> str:
    return f"week of {week:%d %b %Y}"


def week_chart(row: Row, weeks: list[date], scale: int) -> WeekChart:
    """One bar per week, its height `count / scale` of the chart's (a 0 week draws no bar)."""
    bars = []
    for index, count in enumerate(row.counts):
        height = round(CHART_HEIGHT * count / scale, 2) if scale else 0.0
        bars.append(
            WeekBar(index * (BAR_WIDTH + BAR_GAP), CHART_HEIGHT - height, BAR_WIDTH, height)
        )
    per_week = "; ".join(
        f"{week_label(week)}: {count}" for week, count in zip(weeks, row.counts, strict=True)
    )
    text = f"{row.misconception.label}, matched {row.total} time(s): {per_week}"
    return WeekChart(len(weeks) * (BAR_WIDTH + BAR_GAP), CHART_HEIGHT, bars, text)


@dataclass(frozen=True)
class ChartedRow:
    row: Row
    chart: WeekChart


@dataclass(frozen=True)
class Table:
    view: str  # "course", "topic" or "student": the CSV's first column
    title: str
    group_heading: str  # "" for the course's table, which has one group
    rows: list[ChartedRow]


def tables(report: MisconceptionReport) -> list[Table]:
    scale = report.largest_count

    def charted(rows: list[Row]) -> list[ChartedRow]:
        return [ChartedRow(row, week_chart(row, report.weeks, scale)) for row in rows]

    return [
        Table("course", "The whole course", "", charted(report.course_rows)),
        Table("topic", "Per topic", "Topic", charted(report.topic_rows)),
        Table("student", "Per student", "Student", charted(report.student_rows)),
    ]


def csv_rows(report: MisconceptionReport) -> Iterator[list]:
    """The page's three tables in one: `view,group,misconception,belief,total`, then one column
    per week (its Monday, ISO 8601)."""
    yield ["view", "group", "misconception", "belief", "total"] + [
        week.isoformat() for week in report.weeks
    ]
    for table in tables(report):
        for charted in table.rows:
            row = charted.row
            yield [
                table.view,
                row.group,
                row.misconception.label,
                row.misconception.belief,
                row.total,
                *row.counts,
            ]
