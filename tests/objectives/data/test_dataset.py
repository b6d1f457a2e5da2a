import numpy as np
import pytest
from PIL import Image

from objectives.data.dataset import scan_image_folder
from objectives.data.preprocessing import INPUT_NORMALISATION, decode_rgb, resize
from objectives.errors import DataError
from tests.conftest import write_image


def test_pure_red_has_its_signal_in_channel_zero(tmp_path):
    red = np.zeros((10, 10, 3), np.uint8)
    red[..., 0] = 255
    for name in ("red.png", "red.jpg"):
        pixels = resize(decode_rgb(write_image(tmp_path / name, red)), 8).astype(int)
        assert pixels[..., 0].min() > 240, name
        assert pixels[..., 1].max() < 15 and pixels[..., 2].max() < 15, name


def test_exif_orientation_is_applied(tmp_path):
    # A 20 wide x 10 high image with a white left half, tagged "rotate 90 clockwise to view" (6).
    pixels = np.zeros((10, 20, 3), np.uint8)
    pixels[:, :10] = 255
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6
    path = tmp_path / "rotated.jpg"
    image.save(path, exif=exif.tobytes(), quality=95)
    upright = np.asarray(decode_rgb(path))
    assert upright.shape == (20, 10, 3)  # seen upright it is taller than wide
    assert upright[:10].mean() > 200 and upright[10:].mean() < 50  # the white half is now on top


@pytest.mark.parametrize("mode", ["L", "RGBA", "LA", "P", "I;16", "CMYK"])
def test_every_mode_becomes_three_channel_rgb(tmp_path, mode):
    base = Image.fromarray((np.arange(64, dtype=np.uint8).reshape(8, 8) * 4), mode="L")
    image = base.convert(mode) if mode != "I;16" else Image.fromarray((np.asarray(base).astype(np.uint16) * 257))
    suffix = ".jpg" if mode == "CMYK" else ".png"
    image.save(tmp_path / f"x{suffix}")
    decoded = decode_rgb(tmp_path / f"x{suffix}")
    assert decoded.mode == "RGB"
    assert np.asarray(decoded).shape == (8, 8, 3)
    if mode in ("L", "I;16"):  # greyscale keeps its values (16 bit scaled to 8)
        assert abs(int(np.asarray(decoded)[7, 7, 0]) - 252) <= 2


def test_folder_classes_are_sorted_and_hidden_files_skipped(tmp_path):
    for name in ("zebra", "apple", "mango"):
        write_image(tmp_path / name / "a.png", np.zeros((5, 7, 3), np.uint8))
        write_image(tmp_path / name / "b.jpg", np.full((9, 4), 128, np.uint8), mode="L")
    (tmp_path / "apple" / ".DS_Store").write_bytes(b"junk")
    (tmp_path / "apple" / "notes.txt").write_text("not an image")
    (tmp_path / ".hidden").mkdir()
    folder = scan_image_folder(tmp_path)
    assert folder.class_names == ("apple", "mango", "zebra")
    assert len(folder.files) == 6
    assert list(folder.labels) == [0, 0, 1, 1, 2, 2]
    assert all(folder.class_names[label] == f.parts[0] for f, label in zip(folder.files, folder.labels))


def test_missing_folder_and_empty_class_are_named(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        scan_image_folder(tmp_path / "nope")
    write_image(tmp_path / "cats" / "a.png", np.zeros((4, 4, 3), np.uint8))
    (tmp_path / "dogs").mkdir()
    with pytest.raises(DataError, match="dogs"):
        scan_image_folder(tmp_path)


def test_input_contract_is_pixels_over_255():
    assert np.allclose(INPUT_NORMALISATION.apply(np.array([0, 255], np.uint8)), [0.0, 1.0])


def test_data_changes_name_moved_added_and_removed_files():
    from objectives.data.dataset import data_changes

    before = ["a/1.png", "a/2.png", "b/3.png", "b/4.png"]
    after = ["b/1.png", "a/2.png", "b/3.png", "c/5.png"]
    assert data_changes(before, after) == ("1 moved to another class: a/1.png -> b/1.png; 1 added: c/5.png; "
                                           "1 removed: b/4.png")
    assert data_changes(before, before) == "same file names, changed contents"
    assert "not in the cache" in data_changes(None, after)
