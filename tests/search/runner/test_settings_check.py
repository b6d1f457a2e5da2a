"""Bad numbers are refused in one line, exit code 2, before any storage, cache or study is created."""

import subprocess
import sys
from pathlib import Path

import pytest

from objectives.config import TrainingConfig
from objectives.errors import SettingError
from search.cli import main
from search.runner.run import RunSettings, run_study

ROOT = Path(__file__).parents[3]


@pytest.mark.parametrize("args, message", [
    (["--trials", "0"], "error: --trials (TRIALS): 1 <= value <= 1,000,000 must hold (a whole number), but got 0; "
                        "pass the study's total number of trials, e.g. TRIALS=16"),
    (["--trials", "-1"], "--trials (TRIALS): 1 <= value <= 1,000,000 must hold (a whole number), but got -1"),
    (["--epochs", "0"], "error: --epochs (EPOCHS): 1 <= value <= 10,000 must hold (a whole number), but got 0; "
                        "every fold needs at least one epoch"),
    (["--epochs", "-1"], "--epochs (EPOCHS): 1 <= value <= 10,000 must hold (a whole number), but got -1"),
    (["--folds", "1"], "error: --folds (FOLDS): 2 <= value <= 100 must hold (a whole number), but got 1; "
                       "cross-validation needs at least 2 folds"),
    (["--batch-size", "0"], "error: --batch-size: 1 <= value <= 65,536 must hold (a whole number), but got 0"),
    (["--seed", "-1"], "error: --seed: 0 <= value <= 2,147,483,647 must hold (a whole number), but got -1"),
    (["--test-fraction", "1"], "error: --test-fraction: 0 < value <= 0.9 must hold, but got 1.0"),
])
def test_bad_numbers_are_refused_before_anything_is_created(tmp_path, capsys, args, message):
    storage = tmp_path / "studies" / "optuna.db"
    code = main(["run", "--study", "s", "--storage", f"sqlite:///{storage}", "--cache", str(tmp_path / "cache"),
                 "--data", str(tmp_path / "never-read"), "--no-mlflow", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert not storage.parent.exists() and not (tmp_path / "cache").exists()  # nothing was created


@pytest.mark.parametrize("rate", [float("nan"), 0.0, float("inf")])
def test_a_learning_rate_that_cannot_train_is_refused_before_the_storage_is_made(tmp_path, rate):
    """The command line refuses these as it parses them; a study started from code is refused the same way."""
    storage = tmp_path / "o.db"
    with pytest.raises(SettingError) as refused:
        run_study(RunSettings(study="s", storage=f"sqlite:///{storage}", trials=1, mlflow=False,
                              training=TrainingConfig(learning_rate=rate)))
    assert str(refused.value).startswith(f"--learning-rate: 0 < value <= 1 must hold, but got {rate!r}; "
                                         "pass a positive")
    assert not storage.exists()


def test_check_data_refuses_one_fold_in_one_line(tmp_path, capsys):
    assert main(["check-data", str(tmp_path), "--folds", "1"]) == 2
    assert "error: --folds (FOLDS): 2 <= value <= 100 must hold" in capsys.readouterr().err


def test_the_exit_code_of_a_refused_setting_is_2_in_a_real_process(tmp_path):
    result = subprocess.run([sys.executable, "-m", "search", "run", "--storage", f"sqlite:///{tmp_path}/o.db",
                             "--epochs", "0"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and result.stderr.startswith("error: --epochs (EPOCHS):")
    assert "Traceback" not in result.stderr and not (tmp_path / "o.db").exists()
