"""Scoring a front on held-out images: hypervolume by hand, best under each size limit, the table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.real_photos import main, score, side_by_side

# (accuracy, params): 0.5 at 100 (log 2), 0.9 at 10,000 (log 4), and 0.4 at 1,000 which is dominated.
FRONT = [(0.5, 100), (0.4, 1_000), (0.9, 10_000)]


def test_the_hypervolume_of_a_hand_made_front_is_its_hand_computed_area() -> None:
    # against accuracy 0 at 10^7: 0.5 x (7 - 2) + (0.9 - 0.5) x (7 - 4) = 2.5 + 1.2
    assert score(FRONT)["hypervolume"] == pytest.approx(3.7)


def test_best_under_each_limit_and_none_when_nothing_fits() -> None:
    s = score([(0.7, 5_000), (0.95, 50_000)])
    assert (s["best_at_1000"], s["best_at_10000"], s["best_at_100000"]) == (None, 0.7, 0.95)
    assert score(FRONT)["front"] == [(0.5, 100), (0.9, 10_000)]


def test_the_table_has_one_row_per_method_and_a_missing_set_exits_2(tmp_path: Path, capsys) -> None:
    models = [{"test_accuracy": a, "params": p} for a, p in FRONT]
    (tmp_path / "photos-tiny-baseline.json").write_text(json.dumps({"method": "baseline", "models": models}))
    (tmp_path / "photos-tiny-grey-baseline.json").write_text(json.dumps({"method": "other set", "models": models}))
    rows = side_by_side("tiny", tmp_path).splitlines()
    assert len(rows) == 2 and rows[1].split() == ["baseline", "3", "3.700", "0.500", "0.900", "0.900"]
    assert main(["--set", "other", "--results", str(tmp_path)]) == 2
    assert "no results for --set other" in capsys.readouterr().err


def test_an_unknown_study_exits_2_with_one_line(tmp_path: Path, capsys) -> None:
    assert main(["--set", "tiny", "--results", str(tmp_path), "--study", "nope",
                 "--storage", f"sqlite:///{tmp_path / 'optuna.db'}"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "nope" in err and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob("photos-*.json"))
