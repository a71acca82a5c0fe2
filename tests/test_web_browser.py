"""The pages in a real browser, as a fact-checker uses them: Debian's headless Chromium driven by selenium
against `newstrace serve` on the demo store. Saves the story and relation pages as screenshots: into the
folder named by ``NEWSTRACE_SCREENSHOTS`` (``NEWSTRACE_SCREENSHOTS=docs/screenshots`` retakes the README's),
otherwise into the test's temporary folder, so that a test run leaves the checkout as it was.

Run in CI (the Makefile's install target installs chromium and chromium-driver); skipped, saying why,
where they are missing. The system chromedriver is given by path, so selenium never fetches a driver.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_web_security import HOSTILE
from web_demo import TOKEN, build_demo

CHROMIUM, CHROMEDRIVER = shutil.which("chromium") or "/usr/bin/chromium", "/usr/bin/chromedriver"

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (the dev extra)")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
        reason="Debian's chromium and chromium-driver are not installed (make install does it as root)",
    ),
]

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _call(url: str, body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """`newstrace serve` on the demo store, on a free loopback port, for the whole module."""
    folder = tmp_path_factory.mktemp("browser")
    db, port = build_demo(folder / "demo.db"), _free_port()
    environment = {**os.environ, "NEWSTRACE_TOKEN": TOKEN}
    command = [sys.executable, "-m", "newstrace", "serve", "--db", str(db), "--port", str(port)]
    with open(folder / "server.log", "w") as log:
        process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=log)
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                _call(f"{base}/api/v1/status")
                break
            except OSError:
                time.sleep(0.1)
        yield base
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,1000",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    # With the driver's path given, selenium skips selenium-manager: nothing is ever downloaded.
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the screenshots go (see the module's docstring)."""
    folder = Path(os.environ.get("NEWSTRACE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _screenshot(driver, path: Path) -> None:
    """The whole page, as tall as it is."""
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 800), 4000))
    assert driver.save_screenshot(str(path))
    driver.set_window_size(1280, 1000)


def _no_alert(driver) -> bool:
    try:
        driver.switch_to.alert.dismiss()
    except NoAlertPresentException:
        return True
    return False


def test_the_bridge_story_shows_its_copy_tree(server: str, browser, screenshots: Path) -> None:
    browser.get(server + "/")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Harbour bridge partly collapses").click()
    tree = browser.find_element(By.CSS_SELECTOR, ".tree")
    kinds = [b.text for b in tree.find_elements(By.CSS_SELECTOR, ".badge")]
    assert sorted(kinds) == ["duplicate", "excerpt", "spun", "translation"]
    assert "Alder Gazette" in tree.text and "worldnews-now.example" in tree.text
    assert "Ilse Varga" in browser.find_element(By.CSS_SELECTOR, ".findings-top").text
    _screenshot(browser, screenshots / "story.png")


def test_the_spun_copy_side_by_side_marks_the_changed_count_and_name(server: str, browser, screenshots: Path) -> None:
    spun = browser.find_element(By.XPATH, "//ul[@class='tree']//div[@class='relation'][span[text()='spun']]/a[@class='compare']")
    spun.click()
    original, copy = browser.find_elements(By.CSS_SELECTOR, ".side")
    assert "Alder Gazette" in original.text and "worldnews-now.example" in copy.text
    numbers = [(e.text, o.text) for e, o in zip(copy.find_elements(By.CSS_SELECTOR, ".changed-number"),
                                                 original.find_elements(By.CSS_SELECTOR, ".changed-number"), strict=True)]
    assert ("21", "12") in numbers
    assert "Elsa Barga" in [e.text for e in copy.find_elements(By.CSS_SELECTOR, ".changed-name")]
    assert "Ilse Varga" in [e.text for e in original.find_elements(By.CSS_SELECTOR, ".changed-name")]
    assert copy.find_elements(By.CSS_SELECTOR, ".passage.edited, .passage.paraphrased")
    _screenshot(browser, screenshots / "relation.png")


def test_an_article_full_of_markup_renders_inert(server: str, browser) -> None:
    answer = _call(f"{server}/api/v1/articles", HOSTILE)["articles"][0]
    browser.get(f"{server}/articles/{answer['id']}")
    assert "<script>alert('title')</script>" in browser.find_element(By.TAG_NAME, "h1").text
    assert "<img src=x onerror=" in browser.find_element(By.CSS_SELECTOR, ".text").text
    assert _no_alert(browser) and browser.execute_script("return window.pwned === undefined")
    assert not browser.find_elements(By.CSS_SELECTOR, "main img, main script, a[href^='javascript']")


def test_a_new_article_appears_on_the_open_story_page_without_a_reload(server: str, browser) -> None:
    browser.get(server + "/")
    browser.find_element(By.PARTIAL_LINK_TEXT, "Harbour bridge partly collapses").click()
    browser.execute_script("window.stillTheSamePage = true")
    time.sleep(0.5)  # the page's event stream is open
    original = _call(f"{server}/api/v1/articles/49d2c6720b62e6a0")["article"]
    copy = {"id": "copycat-live", "outlet": "Copycat Times", "date": "2031-04-18", "title": original["title"], "text": original["text"]}
    _call(f"{server}/api/v1/articles", copy)
    WebDriverWait(browser, 30, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: "Copycat Times" in d.find_element(By.CSS_SELECTOR, ".timeline").text
    )
    assert browser.execute_script("return window.stillTheSamePage === true")
    assert "Updated" in browser.find_element(By.ID, "live").text
