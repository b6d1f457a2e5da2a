"""The photo sets: a tiny set rebuilds byte for byte, crops are never scaled up, a missing package is named."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from PIL import Image

from bench.photo_sets import BACKGROUNDS, SETS, PhotoSet, PhotosMissing, Source, build, main

TINY = PhotoSet("tiny", 64, 3, {"a": (Source("one.jpg", "pkg-a"),), "b": (Source("two.jpg", "pkg-b"),
                                                                         Source("three.jpg", "pkg-b"))})


def _photographs(root: Path) -> Path:
    """Three noisy 'photographs' larger than the output, as the wallpaper packages' JPEGs would be."""
    root.mkdir()
    for seed, name in enumerate(("one", "two", "three")):
        Image.effect_noise((300 + 40 * seed, 200), 60 + seed).convert("RGB").save(root / f"{name}.jpg")
    return root


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_tiny_set_rebuilds_identically_with_its_manifest(tmp_path: Path) -> None:
    sources = _photographs(tmp_path / "src")
    first, second = build(TINY, tmp_path / "one", 7, sources), build(TINY, tmp_path / "two", 7, sources)
    assert _digest(first) == _digest(second) and len(list(first.rglob("*.jpg"))) == 6
    manifest = json.loads((tmp_path / "one" / "tiny.manifest.json").read_text())
    assert manifest["seed"] == 7 and [r["file"] for r in manifest["images"]][:3] == [f"a/a_{i:04d}.jpg"
                                                                                     for i in range(3)]
    for row in manifest["images"]:
        left, top, right, bottom = row["box"]
        assert right - left == bottom - top >= 64  # square, and only ever scaled down
    assert {r["package"] for r in manifest["images"] if r["file"].startswith("b/")} == {"pkg-b"}
    assert _digest(build(TINY, tmp_path / "three", 8, sources)) != _digest(first)


def test_an_unfinished_build_is_replaced_not_trusted(tmp_path: Path) -> None:
    sources = _photographs(tmp_path / "src")
    (tmp_path / "out" / "tiny" / "a").mkdir(parents=True)
    (tmp_path / "out" / "tiny" / "a" / "stale.jpg").write_bytes(b"half")
    assert not (build(TINY, tmp_path / "out", 0, sources) / "a" / "stale.jpg").exists()


def test_a_missing_photograph_names_its_package_before_writing(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(PhotosMissing, match="pkg-a"):
        build(TINY, tmp_path / "out", 0, tmp_path / "nowhere")
    assert not (tmp_path / "out").exists()


def test_the_aside_set_shares_no_photograph_and_no_class_shares_one() -> None:
    def photographs(name: str) -> list[str]:
        return [s.path for sources in SETS[name].classes.values() for s in sources]

    tuned = {p for name in SETS if name != "aside" for p in photographs(name)}
    assert not tuned & set(photographs("aside")) and all(256 <= spec.size <= 512 for spec in SETS.values())
    assert all(len(photographs(name)) == len(set(photographs(name))) for name in SETS)


def test_a_grey_set_has_no_colour(tmp_path: Path) -> None:
    folder = build(PhotoSet("grey", 64, 2, TINY.classes, grey=True), tmp_path, 0, _photographs(tmp_path / "src"))
    red, green, blue = Image.open(next(folder.rglob("*.jpg"))).split()
    assert red.tobytes() == green.tobytes() == blue.tobytes()


@pytest.mark.skipif(not (BACKGROUNDS / "mate/nature/Blinds.jpg").exists(), reason="wallpaper packages absent")
def test_the_cli_builds_a_set_from_the_installed_photographs(tmp_path: Path) -> None:
    assert main(["--root", str(tmp_path), "--only", "aside"]) == 0
    images = sorted((tmp_path / "aside").rglob("*.jpg"))
    assert len(images) == 300 and Image.open(images[0]).size == (320, 320)
