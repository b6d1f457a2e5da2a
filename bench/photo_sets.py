"""Real-resolution photo sets cut from Debian's wallpaper photographs, rebuilt identically by anyone.

Each image is a crop of an original photograph of 1,000-6,000 px, scaled DOWN (never up) to the set's size:
the crop's side is drawn between the set's size and a few times it, so detail stays at real resolution.
Crop positions, scales and flips come from one seeded generator, so a rebuild writes the same files
(same Pillow version: JPEG bytes depend on its encoder). Each set's ``manifest.json`` lists, per image, the
source photograph, its Debian package, the crop box and the flip. The three sets use disjoint photographs;
"aside" is kept for reporting only and is never used to tune anything.

    python -m bench.photo_sets [--root cache/photos] [--only textures]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

BACKGROUNDS = Path("/usr/share/backgrounds")
PACKAGES = ("mate-backgrounds", "lomiri-wallpapers", "ukui-wallpapers", "gnome-backgrounds")
INSTALL_HINT = "apt-get install -y " + " ".join(PACKAGES) + " (make bench does this when run as root)"
MAX_ZOOM = 2.5  # a crop's side is at most this many times the output size (or the photograph's short side)
JPEG_QUALITY = 92


class PhotosMissing(FileNotFoundError):
    """A wallpaper package the set needs is not installed."""


@dataclass(frozen=True)
class Source:
    path: str  # relative to the backgrounds folder
    package: str


@dataclass(frozen=True)
class PhotoSet:
    name: str
    size: int  # output side in pixels
    per_class: int
    classes: dict[str, tuple[Source, ...]]
    grey: bool = False  # drop colour, so texture and shape must carry the class


def _mate(name: str) -> Source:
    return Source(f"mate/nature/{name}.jpg", "mate-backgrounds")


def _lomiri(name: str, release: str) -> Source:
    return Source(f"{name}.jpg", f"lomiri-wallpapers-{release}")


# Classes picked by looking at the photographs. "aside" shares no photograph with the others.
TEXTURES = {
    "foliage": (_mate("Blinds"), _mate("GreenMeadow"), _mate("RainDrops")),
    "bark_rock_wood": (_lomiri("Kleiber_by_Lukas_Baubkus", "20.04"), _mate("Wood"),
                       _lomiri("life_by_Aitzol_Berasategi", "16.04")),
    "sky_water": (_mate("Storm"), _mate("Aqua"), _lomiri("Bridge_by_Sander_Klootwijk", "16.04")),
}
SETS = {
    "textures": PhotoSet("textures", 512, 180, TEXTURES),
    # the same photographs in grey: mean colour alone separates "textures" (0.95 held-out accuracy)
    "textures-grey": PhotoSet("textures-grey", 512, 180, TEXTURES, grey=True),
    "objects": PhotoSet("objects", 384, 120, {
        "flower": (_mate("FreshFlower"), _mate("Garden"), _mate("YellowFlower")),
        "seed_head": (_mate("TwoWings"), _lomiri("seeding_by_Clements_Engelhardt", "16.04")),
        "mountain": (_lomiri("aitzgorri_by_Aitzol_Berasategi", "16.04"),
                     _lomiri("picosdeeuropa_by_Aitzol_Berasategi", "16.04"),
                     _lomiri("sunset_by_Aitzol_Berasategi", "16.04")),
        "still_life": (_lomiri("Picture_0B_by_freespace", "16.04"), _lomiri("Picture_1A_by_freespace", "16.04")),
    }),
    "aside": PhotoSet("aside", 320, 150, {
        "plants": (_lomiri("Dragonfly_by_Bolly", "16.04"), _mate("LadyBird"), _mate("Dune")),
        "indoors": (_lomiri("friends_by_Aitzol_Berasategi", "16.04"), _lomiri("free_by_Peter_Nerlich", "16.04"),
                    _lomiri("Wine_by_Jakkub_Mede", "16.04")),
    }),
}


def _crop_box(rng: np.random.Generator, width: int, height: int, size: int) -> tuple[int, int, int, int]:
    """A square of side between ``size`` and MAX_ZOOM x ``size`` (so the output is only ever scaled down)."""
    largest = min(width, height, int(size * MAX_ZOOM))
    side = int(rng.integers(size, largest + 1))
    left, top = int(rng.integers(0, width - side + 1)), int(rng.integers(0, height - side + 1))
    return left, top, left + side, top + side


def _load(source: Source, root: Path, size: int) -> Image.Image:
    """The photograph, RGB; refused when it is missing or smaller than the output size."""
    path = root / source.path
    if not path.exists():
        raise PhotosMissing(f"{path} (package {source.package}) is not installed; install it with: {INSTALL_HINT}")
    image = Image.open(path).convert("RGB")
    if min(image.size) < size:
        raise PhotosMissing(f"{path} is {image.size[0]}x{image.size[1]} px, smaller than the set's {size} px")
    return image


def _write_class(spec: PhotoSet, label: str, target: Path, root: Path, rng: np.random.Generator) -> list[dict]:
    """``per_class`` crops spread evenly over the class's photographs; their manifest rows."""
    sources = spec.classes[label]
    (target / label).mkdir(parents=True)
    rows = []
    for index_in_source, source in enumerate(sources):
        image = _load(source, root, spec.size)
        count = spec.per_class // len(sources) + (index_in_source < spec.per_class % len(sources))
        for _ in range(count):
            box = _crop_box(rng, *image.size, spec.size)
            flip = bool(rng.integers(0, 2))
            crop = image.crop(box).resize((spec.size, spec.size), Image.Resampling.LANCZOS)
            if flip:
                crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
            if spec.grey:
                crop = crop.convert("L").convert("RGB")
            name = f"{label}/{label}_{len(rows):04d}.jpg"
            crop.save(target / name, quality=JPEG_QUALITY)
            rows.append({"file": name, "source": str(root / source.path), "package": source.package,
                         "box": list(box), "flip": flip})
    return rows


def build(spec: PhotoSet, out_root: Path, seed: int = 0, root: Path = BACKGROUNDS) -> Path:
    """Write ``spec`` under ``out_root/<name>`` once; an unfinished earlier build is replaced."""
    target = Path(out_root) / spec.name
    marker = target / ".complete"
    if marker.exists():
        return target
    for source in (s for sources in spec.classes.values() for s in sources):
        if not (root / source.path).exists():
            raise PhotosMissing(f"{root / source.path} (package {source.package}) is not installed; "
                                f"install it with: {INSTALL_HINT}")
    if target.exists():
        shutil.rmtree(target)
    rng = np.random.default_rng(seed)
    rows = [row for label in sorted(spec.classes) for row in _write_class(spec, label, target, root, rng)]
    manifest = {"set": spec.name, "size": spec.size, "per_class": spec.per_class, "seed": seed,
                "grey": spec.grey, "max_zoom": MAX_ZOOM, "jpeg_quality": JPEG_QUALITY, "pillow": Image.__version__,
                "images": rows}
    (target.parent / f"{spec.name}.manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    marker.write_text(f"{len(rows)} images, seed {seed}\n")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.photo_sets", description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path("cache/photos"), help="where the sets are written")
    parser.add_argument("--only", choices=sorted(SETS), action="append", help="build only this set (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        for name in args.only or sorted(SETS):
            print(f"{name}: {build(SETS[name], args.root, args.seed)}")
    except PhotosMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
