"""A headless Chromium driven by selenium, one per test module; the tests skip, saying why, without it.

CI installs chromium and chromium-driver (.ci/run) and selenium (the dev extra). The machine's network is
closed, so Chromium's own background traffic is switched off; the page itself must load nothing at all.
"""
import os
import shutil
import tempfile

import pytest

CHROMIUM = [os.environ.get("GRAPHGRAD_CHROMIUM", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser",
            shutil.which("chromium") or "", shutil.which("chromium-browser") or "", shutil.which("google-chrome") or ""]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1280,900"]


def _found(paths):
    return next((p for p in paths if p and os.path.isfile(p) and os.access(p, os.X_OK)), None)


@pytest.fixture(scope="module")
def browser():
    """A selenium WebDriver on headless Chromium with the browser and performance logs on."""
    webdriver = pytest.importorskip("selenium.webdriver", reason="browser tests need selenium (pip install selenium)")
    from selenium.webdriver.chrome.service import Service
    binary = _found(CHROMIUM)
    driver_path = _found([os.environ.get("GRAPHGRAD_CHROMEDRIVER", ""), "/usr/bin/chromedriver",
                          shutil.which("chromedriver") or ""])
    if binary is None or driver_path is None:
        pytest.skip("browser tests need Chromium and chromedriver (apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="graphgrad-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)   # explicit paths: no driver download
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
