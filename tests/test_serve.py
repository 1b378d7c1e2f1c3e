"""`build.py serve` driven as an editor would: a real server on a free loopback port, edits."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from .conftest import PROJECT, article

WAIT = 20.0  # seconds a change may take to be served; polled, never asserted as a speed
SCRIPT_ID = "bulletin-live-reload"


@dataclass
class Server:
    """A running `build.py serve` and everything it printed so far."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        """Status, body and headers of a GET, without following redirects."""
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(self.origin + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8"), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8"), dict(error.headers)

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Stop it as Ctrl-C does (or as `kill` does with SIGTERM); its exit code."""
        self.process.send_signal(signum)
        return self.process.wait(timeout=WAIT)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@contextmanager
def serving(root: Path, *extra: str) -> Iterator[Server]:
    """Start serve in ``root`` on a port the system picks; stop it (SIGINT) afterwards."""
    command = [sys.executable, str(PROJECT / "build.py"), "serve", "--port", "0",
               "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static"),
               *extra]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, encoding="utf-8", env=env)
    seen: list[str] = []

    def pump() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            seen.append(line)

    threading.Thread(target=pump, daemon=True).start()

    def started() -> str | None:
        found = re.search(r"Serving the preview at (http://\S+)", "".join(seen))
        return found.group(1) if found else None

    deadline = time.monotonic() + WAIT
    while started() is None and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    url = started()
    assert url, "serve did not start:\n" + "".join(seen)
    server = Server(process, url, seen)
    try:
        yield server
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def until(check: Callable[[], bool], what: str) -> None:
    """Poll ``check`` for up to WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {WAIT:.0f} s: {what}")


def text_of(body: str, selector: str) -> str:
    found = lxml.html.fromstring(body).cssselect(selector)
    return found[0].text_content().strip() if found else ""


def test_serve_shows_an_edit_and_reloads_only_what_it_serves(make_site) -> None:
    site = make_site({
        "content/a.md": article("Bài một", body="Nội dung ban đầu."),
        "content/b.md": article("Bài nháp", draft="true", body="Chưa đăng."),
        "content/c.md": article("Bài hẹn giờ", date="2099-01-01T08:00:00+07:00", body="Sau này."),
    })
    with serving(site.root) as server:
        assert server.url.startswith("http://127.0.0.1:")
        code, body, headers = server.get("/tin/bai-mot/")
        assert code == 200
        assert text_of(body, ".article-body") == "Nội dung ban đầu."
        page = lxml.html.fromstring(body)
        assert len(page.cssselect(f"script#{SCRIPT_ID}")) == 1
        assert headers["Cache-Control"] == "no-store"

        # drafts and scheduled articles are in the preview, each with its badge
        code, body, _ = server.get("/tin/bai-nhap/")
        assert code == 200 and text_of(body, ".article-meta .badge") == "Bản nháp"
        code, body, _ = server.get("/tin/bai-hen-gio/")
        assert code == 200 and text_of(body, ".article-meta .badge") == "Hẹn giờ đăng"

        # the live-reload stream announces each finished build
        stream = http.client.HTTPConnection(urlsplit(server.url).netloc, timeout=WAIT)
        stream.request("GET", "/__bulletin/events")
        events = stream.getresponse()
        assert events.getheader("Content-Type") == "text/event-stream"
        first = _next_event(events)

        site.write({"content/a.md": article("Bài một", body="Nội dung đã sửa.")})
        until(lambda: text_of(server.get("/tin/bai-mot/")[1], ".article-body")
              == "Nội dung đã sửa.", "the edited body is served")
        assert _next_event(events) != first
        stream.close()

        # the preview folder on disk holds the plain build: the script exists only in responses
        preview = site.root / ".cache" / "serve-output"
        assert (preview / "tin" / "bai-mot" / "index.html").is_file()
        files = [p for p in preview.rglob("*") if p.is_file()]
        assert not any(SCRIPT_ID.encode() in p.read_bytes() for p in files)
        assert not (site.root / "output").exists()
        # its own build cache, so that the published build's cache is left alone
        assert (site.root / ".cache" / "serve" / "bulletin.sqlite").is_file()
        assert not (site.root / ".cache" / "bulletin.sqlite").exists()
        assert server.stop() == 0
    output = "".join(server.lines)
    assert "Traceback" not in output
    assert "Stopped." in output

    # a normal build of the same site never contains the reload script
    site.build()
    files = [p for p in site.output.rglob("*") if p.is_file()]
    assert files and not any(b"__bulletin" in p.read_bytes() for p in files)


def _next_event(response: http.client.HTTPResponse) -> str:
    while True:
        line = response.fp.readline().decode()
        assert line, "event stream closed"
        if line.startswith("data: "):
            return line[len("data: "):].strip()


def test_an_error_shows_as_an_overlay_until_it_is_fixed(make_site) -> None:
    good = article("Bài một", body="Nội dung <em>tốt</em>.")
    site = make_site({"content/a.md": good})
    with serving(site.root) as server:
        assert server.get("/tin/bai-mot/")[0] == 200
        site.write({"content/a.md": good.replace("date: 2026-10-01T08:00:00+07:00",
                                                 "date: 31/12/2026 <b>")})

        def overlay_shown() -> bool:
            code, body, _ = server.get("/tin/bai-mot/")
            return code == 500 and "content/a.md:3" in body

        until(overlay_shown, "the overlay names content/a.md:3")
        code, body, _ = server.get("/tin/bai-mot/")
        page = lxml.html.fromstring(body)
        assert page.cssselect("#bulletin-overlay .place")[0].text == "content/a.md:3"
        message = page.cssselect("#bulletin-overlay .message")[0].text
        assert message == "date '31/12/2026 <b>' is not a valid date"  # escaped, read back as text
        assert not page.cssselect("#bulletin-overlay b")
        assert "Write dates year first" in page.cssselect("#bulletin-overlay .hint")[0].text
        assert len(page.cssselect(f"script#{SCRIPT_ID}")) == 1
        # every HTML page shows it, assets still come from the last good build
        assert server.get("/")[0] == 500
        assert server.get("/css/style.css")[0] == 200
        assert any("content/a.md:3: date" in line for line in server.lines)  # and the terminal

        site.write({"content/a.md": good})
        until(lambda: server.get("/tin/bai-mot/")[0] == 200, "the overlay clears when fixed")
        fixed = lxml.html.fromstring(server.get("/tin/bai-mot/")[1])
        assert not fixed.cssselect("#bulletin-overlay")
        assert server.stop() == 0


def test_a_template_error_and_a_config_change_are_picked_up(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")})
    shutil.copytree(PROJECT / "templates", site.root / "templates")
    with serving(site.root, "--templates", "templates") as server:
        template = site.root / "templates" / "article.html"
        original = template.read_text(encoding="utf-8")
        template.write_text(original.replace("{{ article.title }}", "{{ article.titel }}", 1),
                            encoding="utf-8")
        until(lambda: "templates/article.html:" in server.get("/tin/bai-mot/")[1],
              "a template error names the template")
        template.write_text(original, encoding="utf-8")
        until(lambda: server.get("/tin/bai-mot/")[0] == 200, "the template is fixed")

        (site.root / "site.toml").write_text('title = "Tên mới"\nbase_url = "https://x.vn/"\n',
                                             encoding="utf-8")
        until(lambda: text_of(server.get("/")[1], ".site-title") == "Tên mới",
              "site.toml is watched")
        assert server.stop() == 0


def test_a_base_url_sub_path_is_served_under_it(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")},
                     config='title = "Bản tin"\nbase_url = "https://example.gov.vn/ban-tin/"\n')
    with serving(site.root) as server:
        assert urlsplit(server.url).path == "/ban-tin/"
        code, _, headers = server.get("/")
        assert code == 302 and headers["Location"] == "/ban-tin/"
        code, body, _ = server.get("/ban-tin/")
        assert code == 200
        links = [a.get("href") for a in lxml.html.fromstring(body).cssselect(".card-title a")]
        assert links == ["/ban-tin/tin/bai-mot/"]
        canonical = lxml.html.fromstring(body).cssselect('link[rel="canonical"]')[0].get("href")
        assert canonical == server.origin + "/ban-tin/"
        assert server.get("/ban-tin/tin/bai-mot/")[0] == 200
        code, _, headers = server.get("/ban-tin/tin/bai-mot")
        assert code == 302 and headers["Location"] == "/ban-tin/tin/bai-mot/"
        assert server.get("/ban-tin/css/style.css")[0] == 200

        code, body, _ = server.get("/ban-tin/khong-co/")  # the site's own 404 page
        assert code == 404
        assert text_of(body, "h1") == "Không tìm thấy trang"
        assert len(lxml.html.fromstring(body).cssselect(f"script#{SCRIPT_ID}")) == 1
        assert server.get("/ban-tin/../site.toml")[0] == 404
        assert server.get("/tin/bai-mot/")[0] == 404  # outside the sub-path
        assert server.stop(signal.SIGTERM) == 0
    assert "Traceback" not in "".join(server.lines)


def test_a_busy_port_is_a_usage_error(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")})
    other = site.root.parent / "other"  # another site: a second serve of this one is refused
    shutil.copytree(site.root, other)
    with serving(site.root) as server:
        port = str(urlsplit(server.url).port)
        second = subprocess.run(
            [sys.executable, str(PROJECT / "build.py"), "serve", "--port", port,
             "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static")],
            cwd=other, capture_output=True, text=True, timeout=WAIT)
        assert second.returncode == 2
        assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
        assert "Traceback" not in second.stderr
        assert server.stop() == 0


@pytest.mark.skipif(os.environ.get("CI") != "true" and not shutil.which("chromium"),
                    reason="chromium is not installed here (it always runs on CI)")
def test_an_open_browser_page_reloads_by_itself(make_site) -> None:
    sync_api = pytest.importorskip("playwright.sync_api") if os.environ.get("CI") != "true" \
        else __import__("playwright.sync_api", fromlist=["sync_playwright"])
    site = make_site({"content/a.md": article("Bài một", body="Trước khi sửa.")})
    with serving(site.root) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        try:
            page = browser.new_page()
            page.goto(server.url + "tin/bai-mot/")
            assert page.text_content(".article-body").strip() == "Trước khi sửa."
            site.write({"content/a.md": article("Bài một", body="Sau khi sửa.")})
            page.wait_for_function(
                "() => document.querySelector('.article-body')?.textContent.trim()"
                " === 'Sau khi sửa.'",
                timeout=WAIT * 1000)
            site.write({"content/a.md": article("Bài một", date="hôm nay")})
            page.wait_for_selector("#bulletin-overlay", timeout=WAIT * 1000)
            assert "content/a.md:3" in page.text_content("#bulletin-overlay")
        finally:
            browser.close()
        assert server.stop() == 0


def test_the_preview_keeps_its_cache_entries_in_memory_between_rebuilds(tmp_path: Path) -> None:
    """serve's builds get a resident store (see bulletin.cache.Cache) in their options."""
    from bulletin.console import Console
    from bulletin.options import Options
    from bulletin.serve import Previewer, Status

    previewer = Previewer(Options(output=tmp_path / "out"), "http://127.0.0.1:8000", Status(),
                          Console())
    assert previewer.options.resident == {} and previewer.options.drafts
    assert Options().resident is None  # a build from the command line keeps nothing
