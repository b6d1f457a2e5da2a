"""A real study on real digits in a real SQLite storage: a few trials, 2 folds, 1 epoch."""

import json
import subprocess
import sys
from pathlib import Path

import optuna
import pytest
import yaml
from optuna.trial import TrialState

from objectives.config import TrainingConfig
from objectives.errors import DataError, SettingError, StudyError
from search.runner.run import RunSettings, join_study, run_study
from search.study import check_study_name
from tests.conftest import tiny_space

FAST = TrainingConfig(epochs=1, folds=2)


def _settings(tmp_path, data, trials, **kw) -> RunSettings:
    return RunSettings(study="t", storage=f"sqlite:///{tmp_path}/optuna.db", trials=trials, data_dir=data,
                       space=kw.pop("space", None) or tiny_space(tmp_path), training=kw.pop("training", FAST),
                       cache_root=tmp_path / "cache", **kw)


def test_a_short_study_completes_and_resumes(small_digits, tmp_path, capsys):
    study = run_study(_settings(tmp_path, small_digits, 3, early_stopping=False))  # every trial runs all its folds
    trials = study.get_trials()  # the start points, no more than the budget: none is left waiting
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 3
    assert study.metric_names == ["cv_accuracy", "params"]
    first = trials[0]
    assert len(first.user_attrs["fold_accuracies"]) == 2 and first.values[1] == first.user_attrs["params"]
    assert first.values[0] == pytest.approx(sum(first.user_attrs["fold_accuracies"]) / 2)
    for key in ("cv_accuracy_std", "epochs", "training_seconds", "image_size", "config"):
        assert key in first.user_attrs
    assert study.user_attrs["class_names"] == ["0", "1", "2"]
    test_files = study.user_attrs["test_files"]
    assert len(test_files) == 5  # round(15% of 36)
    assert {f.split("/")[0] for f in test_files} == {"0", "1", "2"}  # stratified: every class held out
    out = capsys.readouterr().out
    assert "Pareto front" in out and "cv accuracy" in out

    # Re-running the same command with a larger budget resumes: old trials kept, only the rest run.
    resumed = run_study(_settings(tmp_path, None, 4, early_stopping=False))
    assert len(resumed.get_trials()) == 4
    assert resumed.get_trials()[0].values == first.values
    # Re-running at budget runs nothing.
    assert len(run_study(_settings(tmp_path, None, 4, early_stopping=False)).get_trials()) == 4


def test_an_impossible_configuration_is_infeasible_untrained_and_the_study_goes_on(small_digits, tmp_path, capsys):
    space = tiny_space(tmp_path, image_sizes=[16])
    data = yaml.safe_load(space.read_text())
    data["families"]["plain"]["conv_blocks"] = {"low": 3, "high": 3}  # 16 -> 7 -> 2 -> nothing left
    space.write_text(yaml.safe_dump(data))
    study = run_study(_settings(tmp_path, small_digits, 8, space=space))
    states = [(t.params["family"], t.state) for t in study.get_trials()]
    assert len(states) == 8
    assert all(state == TrialState.PRUNED for family, state in states if family == "plain")
    assert all(state == TrialState.COMPLETE for family, state in states if family == "mobilenet")
    refused = [t for t in study.get_trials() if t.state == TrialState.PRUNED]
    assert refused and all("cannot run on 16x16" in t.user_attrs["pruned_reason"] for t in refused)
    assert all(t.constraints["feasible"] == 1.0 and "epoch_images" not in t.user_attrs for t in refused)
    assert "PRUNED infeasible, not trained: plain network" in capsys.readouterr().out


def test_resuming_with_other_settings_is_refused(small_digits, tmp_path):
    run_study(_settings(tmp_path, small_digits, 1))
    with pytest.raises(StudyError, match="exists with different training") as refused:
        run_study(_settings(tmp_path, None, 2, training=TrainingConfig(epochs=2, folds=3)))
    assert "(training.epochs: the study has 1, this command 2; training.folds: the study has 2, this command 3)" \
        in str(refused.value)


@pytest.mark.parametrize("name", ["../x", "a/b", "..", ".hidden", "", "abc\n", "x" * 101])
def test_names_that_could_escape_a_folder_are_refused(name):
    with pytest.raises(StudyError, match="not allowed"):
        check_study_name(name)


@pytest.mark.parametrize("name", ["étude", "研究", "xray-2026.v1", "Ünïcödé_9"])
def test_names_in_any_script_are_taken(name):
    assert check_study_name(name) == name


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", *args], capture_output=True, text=True,
                          cwd=Path(__file__).parents[3])


def test_cli_front_prints_the_table_and_json(small_digits, tmp_path):
    run_study(_settings(tmp_path, small_digits, 2))
    storage = f"sqlite:///{tmp_path}/optuna.db"
    table = _cli("front", "--study", "t", "--storage", storage)
    assert table.returncode == 0 and "cv accuracy" in table.stdout
    rows = json.loads(_cli("front", "--study", "t", "--storage", storage, "--json").stdout)
    assert rows and {"trial", "family", "image_size", "generator", "cv_accuracy", "params"} <= set(rows[0])


def test_cli_errors_are_one_clear_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("image_sizes: [32]\ngenerators: [7]\nfamilies: {}\n")
    result = _cli("run", "--space", str(bad), "--storage", f"sqlite:///{tmp_path}/o.db", "--trials", "1")
    assert result.returncode == 2
    assert "generators: [7] not allowed; allowed: 1, 2, 3, 4" in result.stderr and "Traceback" not in result.stderr
    missing = _cli("front", "--study", "nope", "--storage", f"sqlite:///{tmp_path}/o.db")
    assert missing.returncode == 2 and "no study 'nope'" in missing.stderr and "Traceback" not in missing.stderr
    nodata = _cli("run", "--data", str(tmp_path / "absent"), "--storage", f"sqlite:///{tmp_path}/o.db")
    assert nodata.returncode == 2 and "absent does not exist" in nodata.stderr


def test_a_resumed_study_does_not_replay_its_first_trials(small_digits, tmp_path):
    run_study(_settings(tmp_path, small_digits, 3, sampler="random"))
    resumed = run_study(_settings(tmp_path, None, 6, sampler="random"))
    params = [t.params for t in resumed.get_trials()]
    assert params[3:] != params[:3]


def test_cli_budgets_stop_every_model_over_them_and_are_recorded_with_the_study(small_digits, tmp_path):
    storage = f"sqlite:///{tmp_path}/optuna.db"
    result = _cli("run", "--study", "b", "--storage", storage, "--trials", "2", "--data", str(small_digits),
                  "--space", str(tiny_space(tmp_path)), "--epochs", "1", "--folds", "2",
                  "--cache", str(tmp_path / "cache"), "--max-params", "10", "--no-early-stopping", "--no-mlflow")
    assert result.returncode == 0, result.stderr
    study = optuna.load_study(study_name="b", storage=storage)
    assert [t.state for t in study.trials] == [TrialState.PRUNED] * 2
    assert all("parameters > max_params 10" in t.user_attrs["pruned_reason"] for t in study.trials)
    assert all("epoch_images" not in t.user_attrs for t in study.trials)  # nothing was trained
    assert study.user_attrs["space"]["budgets"] == {"max_params": 10} and study.user_attrs["early_stopping"] is False
    resumed = _cli("run", "--study", "b", "--storage", storage, "--trials", "2", "--space", str(tiny_space(tmp_path)),
                   "--epochs", "1", "--folds", "2", "--cache", str(tmp_path / "cache"))
    assert resumed.returncode == 2 and "exists with different space" in resumed.stderr  # the budget is part of it


def test_a_new_study_starts_from_the_recipes_model_and_resuming_does_not_queue_it_again(small_digits, tmp_path):
    from spaces.space import load_space
    from spaces.start_points import start_points

    points = start_points(load_space(tiny_space(tmp_path)))
    assert len(points) >= 3
    study = run_study(_settings(tmp_path, small_digits, 2, early_stopping=False))
    assert [t.params for t in study.trials] == points[:2]  # only as many as the budget: none left waiting
    resumed = run_study(_settings(tmp_path, None, 3, early_stopping=False))
    assert [t.params for t in resumed.trials[:2]] == points[:2] and len(resumed.trials) == 3
    assert resumed.trials[2].params != points[2]  # resuming samples; it does not queue the start again


def test_sizes_come_from_the_data_are_printed_and_recorded(small_digits, tmp_path, capsys):
    from search.cli import main

    assert main(["check-data", str(small_digits), "--folds", "2"]) == 0
    assert "image sizes a study searches (image_sizes: auto): 8 px (median short side 8 px)" in capsys.readouterr().out
    space = tiny_space(tmp_path, image_sizes="auto")
    study = run_study(_settings(tmp_path, small_digits, 1, space=space, early_stopping=False))
    assert "image sizes searched: 8 px (from the data" in capsys.readouterr().out
    assert study.user_attrs["space"]["image_sizes"] == [8] and study.trials[0].params["image_size"] == 8
    resumed = run_study(_settings(tmp_path, None, 2, space=space, early_stopping=False))  # same data: same sizes
    assert len(resumed.trials) == 2


def test_a_rate_given_on_the_command_line_and_searched_by_the_space_is_refused(small_digits, tmp_path):
    searched = tiny_space(tmp_path, learning_rate={"low": 0.001, "high": 0.01})
    with pytest.raises(SettingError, match="--learning-rate fixes the rate of every trial, but .* searches "
                                           "learning_rate"):
        run_study(_settings(tmp_path, small_digits, 1, space=searched, learning_rate_fixed=True))


def test_a_seeded_study_repeats_its_augmented_trials_exactly(small_digits, tmp_path):
    runs = []
    for attempt in ("first", "second"):
        folder = tmp_path / attempt
        folder.mkdir()
        study = run_study(RunSettings(study="again", storage=f"sqlite:///{folder}/optuna.db", trials=1,
                                      data_dir=small_digits,
                                      space=tiny_space(folder, generators=[2, 4], image_sizes=[16]),
                                      training=TrainingConfig(epochs=2, folds=2), cache_root=tmp_path / "cache",
                                      start_points=False, early_stopping=False, mlflow=False))
        runs.append([(t.params, t.user_attrs["fold_accuracies"]) for t in study.trials])
    assert {params["generator"] for params, _ in runs[0]} <= {2, 4}
    assert runs[0] == runs[1]  # to the last digit, as G1 trials always did


def test_a_spawned_worker_refuses_data_changed_after_the_check_and_names_the_moved_file(small_digits, tmp_path):
    """One image moved to another class after the study checked the data (the file count kept): a worker that
    ``run --jobs`` spawns now trains nothing and says which file moved (it trusted the record before)."""
    settings = _settings(tmp_path, small_digits, 1)
    run_study(settings)
    moved = sorted((small_digits / "0").iterdir())[-1]
    moved.rename(small_digits / "1" / moved.name)
    with pytest.raises(DataError, match=rf"1 moved to another class: 0/{moved.name} -> 1/{moved.name}"):
        join_study("t", settings.storage, settings.cache_root, spawned=1)
    assert len(optuna.load_study(study_name="t", storage=settings.storage).trials) == 1


def test_a_study_logged_to_a_file_has_one_line_per_event_and_no_carriage_returns(small_digits, tmp_path):
    """make study > file: no progress-bar redraws (\\r) in the log, the trials' lines and a summary instead."""
    log = tmp_path / "study.log"
    with log.open("w") as out:
        result = subprocess.run([sys.executable, "-m", "search", "run", "--study", "logged", "--data",
                                 str(small_digits),
                                 "--storage", f"sqlite:///{tmp_path}/o.db", "--trials", "2", "--epochs", "1",
                                 "--folds", "2", "--no-mlflow", "--cache", str(tmp_path / "cache"), "--jobs", "1"],
                                stdout=out, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[3])
    text = log.read_text()
    assert result.returncode == 0, text[-2000:]
    assert "\r" not in text
    assert "resizing images once per size: 36 images" in text and text.count("\ntrial ") >= 2
    assert "study logged: 2 of 2 trials finished" in text  # the summary line, here once the budget is reached
