import os
import signal
import subprocess
import sys

import numpy as np

import objectives.data.size_cache as size_cache
from objectives.data.dataset import scan_image_folder
from objectives.data.size_cache import SizeCache


def test_each_size_is_made_once_and_then_reused(small_digits, tmp_path, monkeypatch):
    folder = scan_image_folder(small_digits)
    cache = SizeCache(tmp_path / "cache", folder)
    assert cache.build([16, 24]) == [16, 24]
    first = cache.load(16).copy()
    assert first.shape == (len(folder.files), 16, 16, 3) and first.dtype == np.uint8
    stamp = cache.path(16).stat().st_mtime_ns

    def no_decoding(path):
        raise AssertionError(f"{path} decoded again")

    monkeypatch.setattr(size_cache, "decode_rgb", no_decoding)
    again = SizeCache(tmp_path / "cache", scan_image_folder(small_digits))
    assert again.build([16, 24]) == []
    assert np.array_equal(again.load(16), first)
    assert cache.path(16).stat().st_mtime_ns == stamp


def test_changed_data_gets_a_new_cache_key(small_digits, tmp_path):
    before = SizeCache(tmp_path, scan_image_folder(small_digits)).directory
    victim = sorted(small_digits.rglob("*.png"))[0]
    victim.write_bytes(sorted(small_digits.rglob("*.png"))[-1].read_bytes())
    assert SizeCache(tmp_path, scan_image_folder(small_digits)).directory != before


def test_partials_of_killed_processes_are_removed_and_a_live_ones_kept(small_digits, tmp_path):
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    victim.send_signal(signal.SIGKILL)  # a process killed while resizing
    victim.wait()
    cache = SizeCache(tmp_path / "cache", scan_image_folder(small_digits))
    cache.directory.mkdir(parents=True)
    dead = cache.directory / f".16x16.{victim.pid}.npy"
    dead.write_bytes(b"\0" * 4096)
    elsewhere = cache.directory.parent / "0123456789abcdef0123" / f".24x24.{victim.pid}.npy"  # another data set's
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(b"\0" * 4096)
    live = cache.directory / f".32x32.{os.getpid()}.npy"  # being written right now by a live process
    live.write_bytes(b"\0")
    cache.build([16])
    assert not dead.exists() and not elsewhere.exists() and live.exists()
    assert cache.load(16).shape[1:] == (16, 16, 3)
