"""End-to-end fixtures: the app served on loopback, Debian's Chromium driven by Playwright,
and axe-core (from node_modules) checking each page against WCAG 2.2 A and AA."""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_configure(config):
    # Assertions wait up to 15 s rather than Playwright's 5 s: on a loaded 2-CPU CI machine a
    # page that is right can take longer than 5 s to show it.
    from playwright.sync_api import expect

    expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served over HTTP on a free loopback port, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (install Debian's chromium package, "
                    "or set CHROMIUM_PATH)")
    if not AXE_SOURCE.exists():
        pytest.skip("axe-core is missing from node_modules: run `make install`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


class Page:
    """A browser tab that fails the test on a CSP violation or a console error, and can run
    axe on whatever it shows."""

    def __init__(self, page, base_url):
        self.page = page
        self.base_url = base_url
        self.problems: list[str] = []
        self.checked: list[str] = []
        self.allowed: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message):
        # An error page's own status is expected; a failing script, style or image is not.
        if message.text.startswith("Failed to load resource") \
                and message.location.get("url") == self.page.url:
            return
        if any(allowed in message.text for allowed in self.allowed):
            return
        if message.type == "error" or "Content Security Policy" in message.text:
            self.problems.append(f"console {message.type}: {message.text} "
                                 f"({message.location.get('url')})")

    def allow_console(self, text: str) -> None:
        """Expect console messages containing `text` (an answer the test provokes)."""
        self.allowed.append(text)

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def check_accessibility(self) -> None:
        """Run axe-core against the current page; fail on any WCAG 2.2 A or AA violation, or on
        content outside every landmark (axe's best-practice "region" rule)."""
        self.page.evaluate(AXE_SOURCE.read_text())
        result = self.page.evaluate(
            "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " rules: {region: {enabled: true}}})",
            WCAG_TAGS,
        )
        violations = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(node["target"][0] for node in v["nodes"][:3])
            for v in result["violations"]
        ]
        assert violations == [], f"axe found problems on {self.page.url}:\n" + "\n".join(
            violations)
        # Nothing may push the page sideways (a long title in a select did, once): wide tables
        # scroll inside their own box instead.
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{self.page.url} is {overflow}px wider than the window"
        self.checked.append(self.page.url)

    def __getattr__(self, name):
        return getattr(self.page, name)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1024, "height": 768})
    tab = Page(context.new_page(), live_server)
    yield tab
    context.close()
    assert tab.problems == [], "\n".join(tab.problems)
