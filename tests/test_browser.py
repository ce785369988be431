"""The report in a real browser: headless Chromium (Debian's chromium and chromium-driver).

The page must render with no console errors, request nothing over the network (only the file
itself and data: URLs), and show every figure; a screenshot goes to ``reports/``. The checks
are first shown to catch a page that breaks each rule, so a pass means something.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from caresurvey.config import load_config
from caresurvey.report.pdf import chromium, chromium_flags

PROJECT = Path(__file__).resolve().parents[1]
LOCAL_SCHEMES = ("file:", "data:", "about:", "chrome:", "devtools:")


@pytest.fixture(scope="module")
def browser():
    binary, driver_path = chromium(), shutil.which("chromedriver")
    if binary is None or driver_path is None:
        pytest.skip("Chromium or ChromeDriver not installed (Debian packages chromium and chromium-driver; "
                    ".ci/run installs them where it can)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in chromium_flags():
        options.add_argument("--headless=new" if flag == "--headless" else flag)
    options.add_argument("--window-size=1280,1600")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    # the driver's path is given, so Selenium Manager never goes looking for one online
    driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
    yield driver
    driver.quit()


@dataclasses.dataclass
class Visit:
    console_errors: list[str]
    requests: list[str]
    broken_images: list[str]
    images: int


def visit(driver, page: Path) -> Visit:
    """Open ``page`` and collect what went wrong: console errors, off-machine requests, images
    that did not load."""
    driver.get_log("browser"), driver.get_log("performance")  # drop what earlier pages left
    driver.get(page.resolve().as_uri())
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "Promise.all(Array.from(document.images).map(i => i.decode().catch(() => null))).then(() => done());")
    images = driver.execute_script("return Array.from(document.images).map(i => [i.alt, i.complete && i.naturalWidth > 0])")
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if not url.startswith(LOCAL_SCHEMES):
                requests.append(url)
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return Visit(errors, requests, [alt for alt, loaded in images if not loaded], len(images))


def test_the_checks_catch_a_page_that_breaks_every_rule(browser, tmp_path):
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><body><img alt="remote" src="https://example.invalid/figure.png">'
                    '<img alt="missing" src="missing.png"><script>console.error("broken")</script></body></html>',
                    encoding="utf-8")
    result = visit(browser, page)
    assert any("example.invalid" in url for url in result.requests)
    assert set(result.broken_images) == {"remote", "missing"}
    assert any("broken" in message for message in result.console_errors)


@pytest.fixture(scope="module")
def report(ingested_study, tmp_path_factory) -> Path:
    from caresurvey.report.build import write_report
    from caresurvey.report.notebooks import render_notebook

    folder = tmp_path_factory.mktemp("browser_report")
    config = dataclasses.replace(load_config(ingested_study), reports_dir=folder)
    write_report(config, ["caresurvey", "report"])
    render_notebook(PROJECT / "notebooks" / "2.0-legal-status.py", folder / "notebooks", config)
    return folder / "report.html"


def test_report_renders_offline_with_every_figure(browser, report):
    result = visit(browser, report)
    assert result.console_errors == []
    assert result.requests == []
    assert result.broken_images == [] and result.images >= 8  # the published tables' and the analyses' figures
    assert browser.find_element("id", "data-quality").is_displayed()
    screenshot = PROJECT / "reports" / "report-screenshot.png"
    screenshot.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(screenshot))


def test_notebook_page_renders_offline(browser, report):
    result = visit(browser, report.parent / "notebooks" / "2.0-legal-status.html")
    assert result.console_errors == [] and result.requests == []
    assert result.images >= 1 and result.broken_images == []


def test_report_prints_to_pdf_offline(report, tmp_path):
    from caresurvey.report.pdf import print_pdf

    if chromium() is None:
        pytest.skip("Chromium not installed (Debian package chromium)")
    pdf = print_pdf(report, tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") > 10  # the report runs to many pages
