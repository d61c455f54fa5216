"""The pure functions of item analysis against data small enough to check by hand, against the
standard library's own correlation, and against a published KR-20 worked example."""

import math
import statistics as stdlib

import pytest

from analytics import statistics
from analytics.statistics import analyse

# Four students, two right/wrong items: A = 1,1,0,0 and B = 1,0,0,0 (totals 2,1,0,0).
# By hand: facility A = 2/4, B = 1/4; each item's rest is the other item, and
# r(A, B) = (0.5/3) / sqrt(1/3 × 1/4) = 1/√3; V(T) = 2.75/3 = 11/12, V(A) = 1/3, V(B) = 1/4,
# alpha = 2 (1 - (7/12)/(11/12)) = 8/11; SE = sqrt(11/12) × sqrt(3/11) = 1/2.
SMALL = [[1, 1], [1, 0], [0, 0], [0, 0]]


def test_a_small_class_by_hand():
    items, test = analyse(SMALL, [1, 1])
    assert [i.facility for i in items] == [0.5, 0.25]
    assert [i.n for i in items] == [4, 4]
    for item in items:
        assert item.discrimination == pytest.approx(1 / math.sqrt(3))
    assert test.mean == 0.75
    assert test.median == 0.5
    assert test.sd == pytest.approx(math.sqrt(11 / 12))
    assert test.alpha == pytest.approx(8 / 11)
    assert test.sem == pytest.approx(0.5)


def test_facility_is_mean_over_max_with_partial_points():
    items, _ = analyse([[2, 0], [1, 3], [0, 3]], [2, 3])
    assert items[0].facility == pytest.approx(0.5)  # mean 1 of 2
    assert items[1].facility == pytest.approx(2 / 3)  # mean 2 of 3


def test_discrimination_is_the_item_rest_pearson_correlation():
    matrix = [[2, 1, 0], [1, 1, 1], [0, 0, 1], [2, 0, 1], [1, 1, 0]]
    items, _ = analyse(matrix, [2, 1, 1])
    for index, item in enumerate(items):
        column = [row[index] for row in matrix]
        rest = [sum(row) - row[index] for row in matrix]
        assert item.discrimination == pytest.approx(stdlib.correlation(column, rest))


def test_a_question_the_weaker_students_get_right_is_flagged():
    # C is right exactly when A and B are wrong: its rest (A + B) falls as C rises, r = -1.
    items, _ = analyse([[1, 1, 0], [1, 1, 0], [0, 0, 1], [0, 0, 1]], [1, 1, 1])
    assert items[2].discrimination == pytest.approx(-1)
    assert items[2].check_question
    # A's rest (B + C) is 1 for everyone: no correlation to speak of, and no flag made up.
    assert items[0].discrimination is None
    assert not items[0].check_question


def test_near_zero_discrimination_is_flagged_and_a_good_one_is_not():
    weak = statistics.ItemStats(0, 10, 1, 0.5, 0.5, 0.5, 0.05)
    good = statistics.ItemStats(0, 10, 1, 0.5, 0.5, 0.5, 0.4)
    assert weak.check_question and not good.check_question


def test_everyone_right_or_no_one_right_is_flagged():
    items, test = analyse([[1, 0, 1], [1, 0, 0], [1, 0, 1]], [1, 1, 1])
    assert items[0].facility == 1 and items[0].almost_all_right and items[0].sd == 0
    assert items[1].facility == 0 and items[1].almost_none_right
    assert items[0].discrimination is None and items[1].discrimination is None
    assert not items[2].almost_all_right and not items[2].almost_none_right
    assert test.n == 3


def test_undefined_statistics_are_none():
    items, test = analyse([[1, 0]], [1, 1])  # one attempt: no variance
    assert items[0].discrimination is None and test.sd is None and test.alpha is None
    assert test.sem is None and test.mean == 1 and test.median == 1
    _, single = analyse([[1], [0]], [1])  # alpha needs two items
    assert single.alpha is None
    items, empty = analyse([], [1, 1])  # nobody yet
    assert empty.n == 0 and empty.mean is None and empty.median is None
    assert items[0].facility is None and items[0].n == 0
    _, flat = analyse([[1, 1], [1, 1]], [1, 1])  # every total equal
    assert flat.alpha is None


def test_a_row_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        analyse([[1, 0], [1]], [1, 1])


# Karl L. Wuensch, "The Kuder-Richardson 20" (East Carolina University, StatHelp, KR20.txt,
# https://core.ecu.edu/wuenschk/StatHelp/KR20.txt): ten students, a ten-item quiz scored 0/1.
# The page states each item's p and pq (= its variance) and the variance of the totals, 5.84 (with
# n in the denominator); KR-20 = k/(k-1) (1 - Σpq / σ²) = 10/9 (1 - 2.18/5.84) = 0.696.
WUENSCH = [
    "1111110110",
    "1011011101",
    "1111011001",
    "0010001000",
    "0000010010",
    "1110111111",
    "1101110111",
    "1111111101",
    "0101111101",
    "1101101110",
]
WUENSCH_P = [0.7, 0.7, 0.6, 0.7, 0.6, 0.8, 0.7, 0.7, 0.5, 0.6]
WUENSCH_PQ = [0.21, 0.21, 0.24, 0.21, 0.24, 0.16, 0.21, 0.21, 0.25, 0.24]
WUENSCH_TOTALS = [8, 7, 7, 2, 2, 9, 8, 9, 7, 7]
WUENSCH_VARIANCE = 5.84


def test_the_published_kr20_example():
    matrix = [[int(c) for c in line] for line in WUENSCH]
    items, test = analyse(matrix, [1] * 10)
    assert [sum(row) for row in matrix] == WUENSCH_TOTALS
    assert [i.facility for i in items] == pytest.approx(WUENSCH_P)
    # Moodle's variances divide by n - 1; the page's by n.
    assert test.sd**2 * 9 / 10 == pytest.approx(WUENSCH_VARIANCE)
    assert [(i.sd**2) * 9 / 10 for i in items] == pytest.approx(WUENSCH_PQ)
    published = 10 / 9 * (1 - sum(WUENSCH_PQ) / WUENSCH_VARIANCE)
    assert published == pytest.approx(0.6963, abs=1e-4)
    assert test.alpha == pytest.approx(published)
    assert test.sem == pytest.approx(test.sd * math.sqrt(1 - published))
    assert test.mean == pytest.approx(6.6) and test.median == 7
