"""The real-photo case runs each method as its own process, the service exactly as make study runs it."""

import sys
from pathlib import Path

from bench.photos_case import commands


def test_every_method_gets_the_same_minutes_and_the_service_reserves_its_export():
    steps = commands("objects", 10, Path("cache/photos"))
    search, score = steps["service"]
    assert search[:3] == [sys.executable, "-m", "search"] and search[3] == "run"
    assert search[search.index("--time") + 1] == "10m" and "--reserve-export" in search
    assert search[search.index("--data") + 1] == "cache/photos/objects"
    assert score[score.index("--study") + 1] == search[search.index("--study") + 1] == "photos-objects"
    assert steps["kerastuner"][0][-2:] == ["--minutes", "10"]
    assert steps["baseline"][0][-2:] == ["--data", "cache/photos/objects"]
