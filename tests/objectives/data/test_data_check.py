"""The data check on real messy folders: every case a real image folder throws at a study."""

import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from objectives.data.data_check import ERROR, IGNORED, WARNING, check_data
from objectives.data.dataset import scan_image_folder
from objectives.data.prepared import prepare
from objectives.errors import DataError
from search.cli import main
from tests.conftest import write_image

ROOT = Path(__file__).parents[3]


def _images(folder: Path, count: int, shade: int = 0) -> None:
    """``count`` distinct small RGB images (distinct bytes, so no duplicate warnings)."""
    for i in range(count):
        write_image(folder / f"img_{i:02d}.png", np.full((6, 7, 3), (shade + 9 * i) % 256, np.uint8))


def _two_classes(root: Path, count: int = 8) -> Path:
    _images(root / "cats", count, shade=1)
    _images(root / "dogs", count, shade=5)
    return root


def _problems(report, severity: str) -> dict[str, str]:
    return {p.path: p.message for p in report.problems if p.severity == severity}


def _png_header(width: int, height: int) -> bytes:
    """A valid PNG whose header declares ``width`` x ``height``: a decompression bomb in 60 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


def test_a_clean_folder_is_usable_and_summarised(tmp_path):
    report = check_data(_two_classes(tmp_path), folds=2)
    assert report.errors == [] and report.class_counts == {"cats": 8, "dogs": 8}
    assert report.sizes == {(7, 6): 16} and report.modes == {"RGB": 16}
    text = report.render()
    assert "2 classes, 16 usable images" in text and "width 7-7, height 6-6" in text and "verdict: usable" in text


@pytest.mark.parametrize("name, content, expected", [
    ("zero.jpg", b"", "empty file (0 bytes)"),
    ("random.png", bytes(np.random.default_rng(0).integers(0, 256, 500, dtype=np.uint8)),
     "not an image Pillow can read"),
    ("letter.jpg", b"%PDF-1.4 this is a document with an image extension\n", "not an image Pillow can read"),
])
def test_unreadable_files_are_named_and_block_by_default(tmp_path, name, content, expected):
    root = _two_classes(tmp_path)
    (root / "cats" / name).write_bytes(content)
    report = check_data(root, folds=2)
    assert expected in _problems(report, ERROR)[f"cats/{name}"]
    assert report.unreadable == [f"cats/{name}"] and report.skipped == []
    assert "--skip-unreadable" in report.render()


def test_a_truncated_jpeg_is_found_only_by_decoding_it(tmp_path):
    root = _two_classes(tmp_path)
    pixels = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    whole = write_image(root / "dogs" / "whole.jpg", pixels).read_bytes()
    (root / "dogs" / "cut.jpg").write_bytes(whole[: len(whole) // 2])
    with Image.open(root / "dogs" / "cut.jpg") as header_only:
        assert header_only.size == (64, 64)  # the header alone looks fine
    problems = _problems(check_data(root, folds=2), ERROR)
    assert list(problems) == ["dogs/cut.jpg"] and "truncated" in problems["dogs/cut.jpg"]


def test_skipping_unreadable_images_leaves_them_out_of_the_study_data(tmp_path):
    root = _two_classes(tmp_path / "data")
    (root / "cats" / "zero.png").write_bytes(b"")
    report = check_data(root, folds=2, skip_unreadable=True)
    assert report.errors == [] and report.skipped == ["cats/zero.png"]
    assert "skipped: empty file" in _problems(report, WARNING)["cats/zero.png"]
    assert "1 unreadable images skipped" in report.render()
    data = prepare(root, tmp_path / "cache", [8], 0.25, 0, exclude=report.skipped)
    assert "cats/zero.png" not in data.folder.relative_names() and len(data.folder.files) == 16
    assert data.search_images(8).shape == (12, 8, 8, 3)
    with pytest.raises(DataError, match="zero.png"):  # without the exclusion the cache build refuses it
        prepare(root, tmp_path / "cache2", [8], 0.25, 0)


@pytest.mark.parametrize("width, height", [(30_000, 30_000), (10_000, 10_000)])
def test_a_decompression_bomb_is_refused_with_a_message(tmp_path, width, height):
    # 900 M pixels is over Pillow's hard limit; 100 M only over the warning limit, which the check also refuses.
    root = _two_classes(tmp_path)
    (root / "cats" / "bomb.png").write_bytes(_png_header(width, height))
    message = _problems(check_data(root, folds=2), ERROR)["cats/bomb.png"]
    assert "refused" in message and "decompression bomb" in message and f"{Image.MAX_IMAGE_PIXELS:,}" in message


def test_hidden_and_non_image_files_are_ignored_and_listed(tmp_path):
    root = _two_classes(tmp_path)
    (root / "cats" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "cats" / "._img_00.png").write_bytes(b"AppleDouble")
    (root / ".git").mkdir()
    (root / "cats" / "notes.txt").write_text("labelled by Ann")
    (root / "README.md").write_text("my data")
    report = check_data(root, folds=2)
    assert report.errors == [] and report.class_counts == {"cats": 8, "dogs": 8}
    ignored = _problems(report, IGNORED)
    assert [ignored[name] for name in ("cats/.DS_Store", "cats/._img_00.png", ".git")] == ["hidden"] * 3
    assert "not an image extension" in ignored["cats/notes.txt"]
    assert "not inside a class folder" in ignored["README.md"]
    assert len(scan_image_folder(root).files) == 16


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P", "I;16", "CMYK"])
def test_every_image_mode_is_usable_and_reported(tmp_path, mode):
    root = _two_classes(tmp_path)
    grey = Image.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8) * 5, mode="L")
    image = Image.fromarray(np.asarray(grey).astype(np.uint16) * 257) if mode == "I;16" else grey.convert(mode)
    image.save(root / "cats" / ("odd.jpg" if mode == "CMYK" else "odd.png"))
    report = check_data(root, folds=2)
    assert report.errors == [] and report.class_counts["cats"] == 9
    assert report.modes[mode] == 1 and report.sizes[(8, 6)] == 1
    assert f"{mode} 1" in report.render()


def test_exif_rotated_photos_are_reported_upright(tmp_path):
    root = _two_classes(tmp_path)
    image = Image.fromarray(np.zeros((10, 20, 3), np.uint8))  # 20 wide, 10 high as stored
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    image.save(root / "dogs" / "phone.jpg", exif=exif.tobytes())
    report = check_data(root, folds=2)
    assert report.errors == [] and report.sizes[(10, 20)] == 1  # seen upright: 10 wide, 20 high


def test_an_empty_class_folder_blocks_and_is_named(tmp_path):
    root = _two_classes(tmp_path)
    (root / "birds").mkdir()
    (root / "fish").mkdir()
    (root / "fish" / "broken.png").write_bytes(b"")
    errors = _problems(check_data(root, folds=2), ERROR)
    assert "holds no images" in errors["birds"] and "holds no readable images" in errors["fish"]
    with pytest.raises(DataError, match="birds"):
        scan_image_folder(root)


def test_a_single_class_blocks(tmp_path):
    _images(tmp_path / "only", 8)
    report = check_data(tmp_path, folds=2)
    assert "has a single class (only)" in report.errors[0].message
    assert "at least two" in report.error_summary()


def test_a_class_smaller_than_the_fold_count_is_named_with_the_fold_count(tmp_path):
    _images(tmp_path / "many", 20, shade=1)
    _images(tmp_path / "few", 4, shade=3)
    errors = _problems(check_data(tmp_path, folds=5), ERROR)
    assert list(errors) == ["few"]
    assert "class 'few' has 4 images" in errors["few"] and "5-fold cross-validation needs at least 5" in errors["few"]
    assert check_data(tmp_path, folds=3).errors == []  # the same data passes with fewer folds


def test_unicode_and_spaces_in_class_and_file_names(tmp_path):
    _images(tmp_path / "café au lait", 6, shade=2)
    _images(tmp_path / "日本 の 猫", 6, shade=4)
    write_image(tmp_path / "café au lait" / "photo é 1.png", np.full((5, 5, 3), 77, np.uint8))
    report = check_data(tmp_path, folds=2)
    assert report.errors == [] and report.class_counts == {"café au lait": 7, "日本 の 猫": 6}
    data = prepare(tmp_path, tmp_path.parent / "cache", [8], 0.2, 0)
    assert data.class_names == ("café au lait", "日本 の 猫")
    assert "café au lait/photo é 1.png" in data.folder.relative_names()
    assert data.search_images(8).shape[1:] == (8, 8, 3)


def test_symlink_loops_are_not_followed(tmp_path):
    root = _two_classes(tmp_path)
    os.symlink(root / "cats", root / "cats" / "again")  # a class folder that contains itself
    os.symlink(root, root / "dogs" / "up")  # a class folder that contains the data folder
    os.symlink(root, root / "everything")  # a "class" that is the data folder itself
    report = check_data(root, folds=2)
    assert report.errors == [] and report.class_counts == {"cats": 8, "dogs": 8}
    ignored = _problems(report, IGNORED)
    assert "not followed" in ignored["cats/again"] and "not followed" in ignored["dogs/up"]
    assert "symlink loop" in ignored["everything"]
    assert scan_image_folder(root).class_names == ("cats", "dogs")


def test_identical_files_in_different_classes_are_warned_about(tmp_path):
    root = _two_classes(tmp_path)
    (root / "dogs" / "same.png").write_bytes((root / "cats" / "img_03.png").read_bytes())
    report = check_data(root, folds=2)
    assert report.errors == [] and report.duplicates == [["cats/img_03.png", "dogs/same.png"]]
    assert "several classes" in _problems(report, WARNING)["cats/img_03.png"]


def test_a_missing_data_path_blocks(tmp_path):
    report = check_data(tmp_path / "nowhere", folds=2)
    assert "nowhere does not exist" in report.error_summary()


def _check_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "search", "check-data", *args], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_cli_check_data_prints_the_report_and_exits_by_verdict(tmp_path):
    root = _two_classes(tmp_path / "data")
    good = _check_cli(str(root), "--folds", "2")
    assert good.returncode == 0 and "verdict: usable" in good.stdout and good.stderr == ""
    (root / "cats" / "zero.png").write_bytes(b"")
    os.symlink(root, root / "cats" / "loop")
    (root / "cats" / "bomb.png").write_bytes(_png_header(30_000, 30_000))
    bad = _check_cli(str(root), "--folds", "2")
    assert bad.returncode == 1 and "cats/zero.png: empty file" in bad.stdout and "cats/bomb.png: refused" in bad.stdout
    assert "Traceback" not in bad.stderr + bad.stdout
    skipping = _check_cli(str(root), "--folds", "2", "--skip-unreadable")
    assert skipping.returncode == 0 and "2 unreadable images skipped" in skipping.stdout
    missing = _check_cli(str(tmp_path / "absent"))
    assert missing.returncode == 1 and "absent does not exist" in missing.stdout and "Traceback" not in missing.stderr


def test_a_system_folder_is_refused_before_it_is_walked(tmp_path, capsys):
    report = check_data(Path("/"), folds=2)
    assert report.error_summary() == ("data folder / is a system folder (/), not an image set; pass the folder that "
                                      "holds one sub-folder per class")
    assert report.class_counts == {}
    storage = tmp_path / "o.db"
    assert main(["run", "--data", "/usr", "--storage", f"sqlite:///{storage}", "--cache", str(tmp_path / "c"),
                 "--no-mlflow"]) == 2
    assert "error: data folder /usr is a system folder (/usr), not an image set" in capsys.readouterr().err
    assert not storage.exists()  # refused before the study's storage was made


def test_a_fifo_with_an_image_name_is_left_out_without_hanging(tmp_path):
    root = _two_classes(tmp_path / "data")
    os.mkfifo(root / "cats" / "y.png")  # opening it would wait for a writer forever
    result = _check_cli(str(root), "--folds", "2")  # a subprocess: a hang fails the test instead of stalling it
    assert result.returncode == 0
    assert "cats/y.png: not a regular file (a FIFO, socket or device); left out" in result.stdout


@pytest.mark.parametrize("name, message", [
    ("line\nbreak", "class folder 'line\\nbreak' has a line break or control character in its name"),
    (" ", "class folder ' ' is named with whitespace only; rename it to the class's name"),
    ("tab\tname", "class folder 'tab\\tname' has a line break or control character in its name"),
])
def test_class_names_that_would_break_labels_txt_are_refused_before_any_image_is_read(tmp_path, name, message):
    root = _two_classes(tmp_path)
    _images(root / name, 8, shade=7)
    report = check_data(root, folds=2)
    assert report.error_summary().startswith(message) and report.class_counts == {}


def test_a_file_symlink_out_of_the_data_folder_is_listed_and_not_used(tmp_path):
    root = _two_classes(tmp_path / "data")
    outside = tmp_path / "secret.png"
    write_image(outside, np.full((6, 7, 3), 200, np.uint8))
    os.symlink(outside, root / "cats" / "link.png")
    os.symlink(root / "cats" / "img_00.png", root / "dogs" / "inside.png")  # inside the data: used as before
    report = check_data(root, folds=2)
    assert report.class_counts == {"cats": 8, "dogs": 9}
    assert _problems(report, IGNORED)["cats/link.png"] == (f"symlink to '{outside}' outside the data folder; not used "
                                                            "(copy the file in instead)")
    assert "cats/link.png" not in scan_image_folder(root).relative_names()


def test_a_folder_with_more_files_than_the_limit_stops_with_a_message(tmp_path, monkeypatch):
    root = _two_classes(tmp_path, count=8)
    monkeypatch.setenv("SEARCH_MAX_FILES", "5")
    report = check_data(root, folds=2)
    assert report.error_summary() == (f"{root / 'cats'}: at most 5 files must hold, but it has more; pass a data "
                                      "folder (with one sub-folder per class), or raise SEARCH_MAX_FILES")
