"""Item analysis as Moodle's quiz statistics define it: pure functions, no Django.

Source of every formula: MoodleDocs, "Quiz statistics calculations"
(https://docs.moodle.org/dev/Quiz_statistics_calculations). With S attempts, P items, x_i(s)
the score of attempt s on item i and T(s) = sum_i x_i(s) its total:

- Test mean T̄ = (1/S) sum_s T(s); median: the middle total (mean of the two middle ones).
- Test standard deviation SD = sqrt(V(T)), V(T) = 1/(S-1) sum_s (T(s) - T̄)^2 (the sample
  variance, as the page's "Standard deviation" section defines it).
- Facility index F_i = (x̄_i - x_i(min)) / (x_i(max) - x_i(min)); x_i(min) is 0 here (no
  negative marking), so F_i = mean score / max score.
- Discrimination index: the item-rest correlation P(x_i, X_-i) = C(x_i, X_-i) /
  sqrt(V(x_i) V(X_-i)), X_-i(s) = T(s) - x_i(s) ("the total minus the item"), with the sample
  covariance and variances. Moodle shows it × 100; here it is kept in [-1, 1].
- Coefficient of internal consistency (Cronbach's alpha) CIC = P/(P-1) (1 - sum_i V(x_i) / V(T)).
  For items scored 0/1, V(x_i) is p_i q_i (× S/(S-1), the same factor as V(T)'s, so it cancels):
  this is KR-20 (Kuder and Richardson, 1937).
- Error ratio ER = sqrt(1 - CIC) and standard error of measurement SE = ER × SD.

A statistic that is undefined for the data (a correlation with a constant, alpha with one item
or a constant total, anything with fewer than two attempts) is None, never a made-up number.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

# Flags, as the instructor's page explains them. Moodle's report calls a facility of 95% or more
# "extremely easy" and 5% or less "extremely difficult"; a discrimination below 0.1 (negative
# included) tells nothing about who knows more, or the reverse: "check this question".
EASY_FACILITY = 0.95
HARD_FACILITY = 0.05
WEAK_DISCRIMINATION = 0.1


@dataclass(frozen=True)
class ItemStats:
    index: int  # position in the quiz, from 0
    n: int
    max_points: float
    mean: float | None
    facility: float | None
    sd: float | None
    discrimination: float | None

    @property
    def check_question(self) -> bool:
        """Negative or near-zero discrimination."""
        return self.discrimination is not None and self.discrimination < WEAK_DISCRIMINATION

    @property
    def almost_all_right(self) -> bool:
        return self.facility is not None and self.facility >= EASY_FACILITY

    @property
    def almost_none_right(self) -> bool:
        return self.facility is not None and self.facility <= HARD_FACILITY


@dataclass(frozen=True)
class TestStats:
    n: int
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    alpha: float | None
    sem: float | None


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sample_variance(values: Sequence[float]) -> float | None:
    """1/(n-1) sum (x - x̄)^2; None below two values."""
    if len(values) < 2:
        return None
    return statistics.variance(values)


def sample_covariance(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    if len(xs) != len(ys):
        raise ValueError("covariance of sequences of different lengths")
    if len(xs) < 2:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either side is constant (the correlation is undefined)."""
    covariance = sample_covariance(xs, ys)
    vx, vy = sample_variance(xs), sample_variance(ys)
    if covariance is None or not vx or not vy:
        return None
    return covariance / math.sqrt(vx * vy)


def facility(scores: Sequence[float], max_points: float) -> float | None:
    average = mean(scores)
    if average is None or max_points <= 0:
        return None
    return average / max_points


def item_rest_discrimination(item: Sequence[float], totals: Sequence[float]) -> float | None:
    return pearson(item, [total - score for score, total in zip(item, totals, strict=True)])


def cronbach_alpha(matrix: Sequence[Sequence[float]]) -> float | None:
    """Rows are attempts, columns items. KR-20 when every score is 0 or 1."""
    if len(matrix) < 2 or not matrix[0] or len(matrix[0]) < 2:
        return None
    items = len(matrix[0])
    total_variance = sample_variance([sum(row) for row in matrix])
    if not total_variance:
        return None
    item_variances = [sample_variance([row[i] for row in matrix]) or 0.0 for i in range(items)]
    return items / (items - 1) * (1 - sum(item_variances) / total_variance)


def standard_error(sd: float | None, alpha: float | None) -> float | None:
    """SE = SD × sqrt(1 - alpha) (alpha is at most 1; rounding may overshoot by an ulp)."""
    if sd is None or alpha is None:
        return None
    return sd * math.sqrt(max(0.0, 1 - alpha))


def analyse(
    matrix: Sequence[Sequence[float]], max_points: Sequence[float]
) -> tuple[list[ItemStats], TestStats]:
    """Item and test statistics of a score matrix: a row per attempt, a column per item (an item
    an attempt left unanswered scores 0, Moodle's first way of handling omitted items)."""
    for row in matrix:
        if len(row) != len(max_points):
            raise ValueError("every attempt needs a score for every item")
    totals = [float(sum(row)) for row in matrix]
    items = []
    for index, top in enumerate(max_points):
        column = [float(row[index]) for row in matrix]
        variance = sample_variance(column)
        items.append(
            ItemStats(
                index=index,
                n=len(column),
                max_points=top,
                mean=mean(column),
                facility=facility(column, top),
                sd=None if variance is None else math.sqrt(variance),
                discrimination=item_rest_discrimination(column, totals),
            )
        )
    total_variance = sample_variance(totals)
    sd = None if total_variance is None else math.sqrt(total_variance)
    alpha = cronbach_alpha(matrix)
    test = TestStats(
        n=len(totals),
        max_total=float(sum(max_points)),
        mean=mean(totals),
        median=statistics.median(totals) if totals else None,
        sd=sd,
        alpha=alpha,
        sem=standard_error(sd, alpha),
    )
    return items, test
