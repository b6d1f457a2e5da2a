"""Saved benchmark runs are read back as they were written, and the real-photo case's own files beside them are
not taken for runs (the report crashed on them)."""

import json

from bench.results_file import RunResult, load_all, save


def test_load_all_reads_the_saved_runs_and_leaves_the_photo_case_files_alone(tmp_path):
    run = RunResult("digits", "random+es", 2, "digits-random-es-seed2", {"accuracy": 0.1, "log10_params": 5.0},
                    [{"trial": 0, "compute": 3, "wall_seconds": 1.5, "hypervolume": 0.4}], {}, {"COMPLETE": 1},
                    [[0.9, 120]], settings={"epochs": 1})
    assert save(run, tmp_path).name == "digits-random-es-seed2.json"
    (tmp_path / "photos-aside-service.json").write_text(json.dumps({"set": "aside", "rows": []}))
    loaded = load_all(tmp_path)
    assert loaded == [run] and loaded[0].final_hypervolume == 0.4 and loaded[0].compute == 3
