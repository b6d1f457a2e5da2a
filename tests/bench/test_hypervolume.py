"""The hypervolume on fronts worked out by hand."""

import math

import pytest

from bench.hypervolume import Reference, front, hypervolume

REF = Reference(accuracy=0.1, log10_params=5.0)


def test_two_point_front_by_hand():
    # (0.5, 100 params) covers [0.1, 0.5] x [2, 5] = 0.4 x 3 = 1.2;
    # (0.9, 10,000 params) adds [0.5, 0.9] x [4, 5] = 0.4 x 1 = 0.4.
    assert hypervolume([(0.5, 100), (0.9, 10_000)], REF) == pytest.approx(1.6)


def test_dominated_points_and_points_beyond_the_reference_add_nothing():
    points = [(0.5, 100), (0.9, 10_000)]
    assert hypervolume(points + [(0.4, 1_000), (0.9, 20_000), (0.99, 10**6), (0.05, 10)], REF) == pytest.approx(1.6)
    assert front(points + [(0.4, 1_000), (0.9, 20_000)]) == [(0.5, 100), (0.9, 10_000)]


def test_a_single_point_is_a_rectangle_and_an_empty_front_is_zero():
    assert hypervolume([(0.6, 1_000)], REF) == pytest.approx(0.5 * 2.0)
    assert hypervolume([], REF) == 0.0
    assert hypervolume([(1.0, 1)], REF) == pytest.approx(0.9 * 5.0)  # the largest possible


def test_three_points_in_any_order():
    points = [(0.8, 3_162), (0.3, 10), (0.6, 316)]  # log10 params 3.49996, 1, 2.49969
    expected = 0.2 * 4.0 + 0.3 * (5 - math.log10(316)) + 0.2 * (5 - math.log10(3_162))
    assert hypervolume(points, REF) == pytest.approx(expected)
    assert hypervolume(list(reversed(points)), REF) == pytest.approx(expected)
