"""Facility per variant of a parameterised question, and which variants are much harder or
easier than their siblings: pure functions, no Django.

Facility is Moodle's (analytics.statistics): mean score ÷ maximum, here over the responses given
to one variant. A variant is flagged when all of these hold (the rule the page states):

- it has at least MIN_RESPONSES responses, and its siblings (the question's other variants,
  pooled) have at least MIN_RESPONSES together;
- its facility differs from its siblings' pooled facility by at least MIN_GAP (0.25: a quarter of
  the maximum score);
- the gap is larger than chance would make it: a two-proportion z-test on the two facilities
  with the pooled standard error, |z| >= Z_CRITICAL (1.96, two-sided 5%).

Lower than the siblings: "much harder than its siblings"; higher: "much easier".
"""

import math
from dataclasses import dataclass

MIN_RESPONSES = 5
MIN_GAP = 0.25
Z_CRITICAL = 1.96

HARDER = "much harder than its siblings"
EASIER = "much easier than its siblings"


@dataclass(frozen=True)
class VariantFacility:
    label: str  # "#2 (n=257)"
    n: int
    facility: float | None
    siblings_facility: float | None
    flag: str  # HARDER, EASIER or ""


def variant_facilities(scores: dict[str, list[float]], max_points: float) -> list[VariantFacility]:
    """`scores`: each variant's label to the points of the responses given to it (in the
    order the variants are listed)."""
    rows = []
    for label, points in scores.items():
        siblings = [p for other, ps in scores.items() if other != label for p in ps]
        facility = _facility(points, max_points)
        siblings_facility = _facility(siblings, max_points)
        flag = _flag(len(points), facility, len(siblings), siblings_facility)
        rows.append(VariantFacility(label, len(points), facility, siblings_facility, flag))
    return rows


def _facility(points: list[float], max_points: float) -> float | None:
    if not points or max_points <= 0:
        return None
    return sum(points) / len(points) / max_points


def _flag(n: int, facility: float | None, m: int, siblings: float | None) -> str:
    if facility is None or siblings is None or n < MIN_RESPONSES or m < MIN_RESPONSES:
        return ""
    gap = facility - siblings
    if abs(gap) < MIN_GAP:
        return ""
    pooled = (facility * n + siblings * m) / (n + m)
    error = math.sqrt(pooled * (1 - pooled) * (1 / n + 1 / m))
    if error == 0 or abs(gap) / error < Z_CRITICAL:
        return ""
    return HARDER if gap < 0 else EASIER
