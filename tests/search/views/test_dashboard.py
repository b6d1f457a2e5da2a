"""Real headless Chromium (Debian's) driven by Playwright: the dashboard and the report as a user sees them.

Screenshots are kept in reports/screenshots/ so a person can look at them after the run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.search.servers import free_port, start_dashboard, stop_and_prove_gone

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parents[3] / "reports" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian chromium is not installed (.ci/run installs it)")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium.new_page(viewport={"width": 1400, "height": 1000})
        chromium.close()


@pytest.fixture
def dashboard(tiny_study):
    """optuna-dashboard started the way `make dashboard` starts it, on a free local port."""
    _, storage, _ = tiny_study
    port = free_port()
    server = start_dashboard(storage, port)
    yield f"http://127.0.0.1:{port}"
    stop_and_prove_gone(server, port)


def test_dashboard_shows_the_study_and_its_pareto_front(dashboard, browser):
    browser.goto(f"{dashboard}/dashboard")
    browser.get_by_text(re.compile(r"^\d+\. tiny$")).click()  # the study's card: "1. tiny"
    browser.get_by_text("Pareto Front").first.wait_for(timeout=30_000)
    browser.wait_for_selector(".js-plotly-plot", timeout=30_000)
    # objective names from set_metric_names, drawn into the plot a moment after it appears (a busy machine
    # took longer than the first look)
    browser.get_by_text("cv_accuracy").first.wait_for(timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.wait_for_timeout(1500)  # let plotly finish drawing
    browser.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)


def test_the_html_report_shows_its_tables_and_images(tiny_study, browser, tmp_path):
    from search.views.report import write_report

    study, _, _ = tiny_study
    path = write_report(study, tmp_path / "report")
    browser.goto(path.as_uri())
    assert browser.locator("table").count() >= 3  # front, one size x generator table per family
    widths = browser.locator("img").evaluate_all("images => images.map(i => i.naturalWidth)")
    assert len(widths) >= 3 and all(w > 100 for w in widths)  # every figure decoded
    assert browser.get_by_text("CV accuracy by image size × generator").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
