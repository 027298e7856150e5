"""The dashboard in a real browser: headless Chromium driven by Selenium (Debian's chromium and
chromium-driver; the network is closed, so nothing is downloaded) against a real server.

It logs in through the form, watches a running build's log grow live as the build prints
(the build waits on files the test creates, so the test waits on conditions, not time), sees
the status change without a reload, opens the infrastructure page listing the site's
instances, and checks the browser's console has no errors. Screenshots are saved in
``test-artifacts/dashboard/`` at the repository root (git ignores it).

When the binaries are missing the fixture runs ``scripts/install-browser`` (apt-get, as
root); it skips, saying why, only when that cannot work (not root, no apt-get).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cloud.conftest import CloudServer, running_server
from tests.cloud.conftest import gates as gates  # the fixture: gates confined builds can see
from tests.dashboard import world

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1000",
)
DEADLINE = 120.0

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is a test dependency")


def ensure_browser() -> None:
    if CHROMIUM.exists() and DRIVER.exists():
        return
    proc = subprocess.run(
        [str(ROOT / "scripts" / "install-browser")],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if proc.returncode == 2:
        pytest.skip(f"no headless browser here: {proc.stderr.strip()}")
    assert proc.returncode == 0, f"scripts/install-browser failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    ensure_browser()
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(DRIVER), log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(DEADLINE)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[CloudServer]:
    base = tmp_path / "server"
    base.mkdir()
    with running_server(base) as running:
        yield running


def test_the_dashboard_in_a_browser(server: CloudServer, browser: object, gates: Path) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser
    assert isinstance(driver, WebDriver)
    api = server.client
    made = world.site(api, "web", desired=2)
    world.put_state(api, "site", made, [])
    world.gated_project(api, "site", gates, lines=3)
    build = world.run_build(api, "site", wait=False)

    def wait(condition: object, what: str) -> Any:
        # The page re-renders parts of itself as the build moves on (status, phases): an element
        # found just before it is replaced is stale, so look again rather than fail.
        return WebDriverWait(
            driver, DEADLINE, ignored_exceptions=(StaleElementReferenceException,)
        ).until(condition, message=f"waited {DEADLINE:.0f}s for {what}")

    def log_text() -> str:
        return str(driver.find_element(By.ID, "log").text)

    # a page without a session goes to the login form, and back to the page after it
    driver.get(f"{server.url}/builds/{build['id']}")
    wait(lambda d: "/login" in d.current_url, "the login form")
    driver.find_element(By.ID, "token").send_keys(server.token)
    driver.find_element(By.CSS_SELECTOR, "form[action='/login'] button").click()
    wait(lambda d: f"/builds/{build['id']}" in d.current_url, "the build page after login")

    # the log grows while the page stays (a reload would lose the marker)
    driver.execute_script("window.__stayed = true;")
    wait(lambda d: "line 1" in log_text(), "line 1 in the live log")
    assert "line 2" not in log_text()
    for i in (1, 2):
        (gates / str(i)).touch()
        wait(lambda d, n=i + 1: f"line {n}" in log_text(), f"line {i + 1} in the live log")
    colour = driver.find_element(By.CSS_SELECTOR, "#log .line span.c6")
    assert colour.text.startswith("line ")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "build-running.png"))
    (gates / "3").touch()
    wait(
        lambda d: d.find_element(By.ID, "build-status").text == "SUCCEEDED",
        "the status to turn SUCCEEDED",
    )
    assert driver.execute_script("return window.__stayed === true;")
    phases = wait(
        lambda d: [e.text for e in d.find_elements(By.CSS_SELECTOR, ".phase .name")],
        "the phases",
    )
    wait(
        lambda d: (
            "FINALIZING" in [e.text for e in d.find_elements(By.CSS_SELECTOR, ".phase .name")]
        ),
        "the phases to be refreshed",
    )
    assert "BUILD" in phases
    driver.save_screenshot(str(ARTIFACTS / "build-done.png"))

    # the infrastructure: the state's group with its instances, healthy
    driver.get(f"{server.url}/infrastructure")
    instances = {i["id"] for i in made.instances(state="running")}
    assert len(instances) == 2

    def both_healthy(d: Any) -> bool:
        rows = d.find_elements(By.CSS_SELECTOR, "tr.instance")
        shown = {r.find_element(By.CSS_SELECTOR, ".mono").text for r in rows}
        return (
            instances <= shown and len(d.find_elements(By.CSS_SELECTOR, "tr.instance .dot.ok")) == 2
        )

    wait(both_healthy, "the page to list both instances, healthy")
    assert made.url in driver.page_source
    driver.save_screenshot(str(ARTIFACTS / "infrastructure.png"))

    # the overview: the balancer's figures and sparkline (the sampler needs two samples)
    for _ in range(40):
        assert httpx.get(made.url, timeout=30).status_code == 200
    driver.get(server.url + "/")
    wait(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".balancer svg.spark polyline.req"),
        "the balancer's sparkline",
    )
    for name, path in (
        ("timeline", "/timeline"),
        ("deliveries", "/deliveries"),
        ("pulls", "/pulls"),
        ("builds", "/builds"),
        ("overview", "/"),
    ):
        driver.get(server.url + path)
        assert driver.find_elements(By.CSS_SELECTOR, "main h1, main h2"), path
        driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))

    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
    assert errors == [], errors
