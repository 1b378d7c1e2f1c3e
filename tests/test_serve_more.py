"""`build.py serve`, more: HEAD requests, encoded sub-paths, refused folders, many tabs, folders
replaced while watched, a second server, Ctrl-C during a parallel build."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest

from .conftest import PROJECT, Site, article
from .test_serve import serving


def _until(check, what: str, wait: float = 8.0) -> None:
    """Poll ``check`` for a few seconds (a rebuild of these small sites takes well under one)."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {wait:.0f} s: {what}")


def _raw(server, request: bytes, wait: float = 3.0) -> tuple[bytes, bool]:
    """The bytes the server answers to a raw request, and whether it closed the connection
    within ``wait`` seconds."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=wait) as sock:
        sock.sendall(request)
        data = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                return data, False
            if not chunk:
                return data, True
            data += chunk
        return data, False


def test_head_of_the_event_stream_has_no_body(make_site) -> None:
    """A HEAD request is answered with headers only (RFC 9110 §9.3.2): HEAD of the reload
    stream neither streams events nor holds the connection open."""
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root) as server:
        data, closed = _raw(server, b"HEAD /__bulletin/events HTTP/1.1\r\nHost: x\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200")
        assert body == b"", body
        assert closed, "the HEAD response never ends"
        assert server.stop() == 0


def test_a_percent_encoded_sub_path_is_served(make_site) -> None:
    """base_url copied from a browser's address bar has its sub-path percent-encoded: the
    preview answers at the address it prints, and '/' redirects there, not to a double-encoded
    path."""
    site = make_site({"content/a.md": article("Bài một")},
                     config='title = "Bản tin"\n'
                            'base_url = "https://example.gov.vn/b%E1%BA%A3n-tin/"\n')
    with serving(site.root) as server:
        assert urlsplit(server.url).path == "/b%E1%BA%A3n-tin/"
        code, _, headers = server.get("/")
        assert code == 302 and headers["Location"] == "/b%E1%BA%A3n-tin/"
        code, body, _ = server.get("/b%E1%BA%A3n-tin/")
        assert code == 200
        links = [a.get("href") for a in lxml.html.fromstring(body).cssselect(".card-title a")]
        assert links and all(server.get(link)[0] == 200 for link in links)
        assert server.stop() == 0


def test_head_of_a_page_has_its_length_and_no_body(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root) as server:
        data, closed = _raw(server, b"HEAD /tin/bai-mot/ HTTP/1.1\r\nHost: x\r\n\r\n")
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.0 200") and closed and body == b""
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        assert length == len(server.get("/tin/bai-mot/")[1].encode())
        assert server.stop() == 0


def test_serve_refuses_the_published_output_folder(make_site) -> None:
    """README: the preview is built 'never into output/, so a preview is never published by
    mistake'. `serve --output output` is refused (exit 2) rather than writing drafts and
    127.0.0.1 links into the folder a `build` made for publishing."""
    site = make_site({"content/a.md": article("Bài một"),
                      "content/b.md": article("Bài nháp", draft="true")})
    site.build()
    assert not (site.output / "tin" / "bai-nhap").exists()
    command = [sys.executable, str(PROJECT / "build.py"), "serve", "--port", "0",
               "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static"),
               "--output", "output"]
    process = subprocess.Popen(command, cwd=site.root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, encoding="utf-8")
    try:
        deadline = time.monotonic() + 10
        while process.poll() is None and time.monotonic() < deadline \
                and not (site.output / "tin" / "bai-nhap").exists():
            time.sleep(0.1)
        drafted = (site.output / "tin" / "bai-nhap").exists()
        local = "127.0.0.1" in (site.output / "index.html").read_text(encoding="utf-8")
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    assert not drafted, "a draft was written into output/"
    assert not local, "output/index.html links to the local preview"
    assert process.returncode == 2


def _serve_once(root: Path, *extra: str, env: dict[str, str] | None = None
                ) -> subprocess.CompletedProcess[str]:
    """A serve that is expected to refuse to start: its exit code and what it printed."""
    command = [sys.executable, str(PROJECT / "build.py"), "serve", "--port", "0",
               "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static"),
               *extra]
    try:
        return subprocess.run(command, cwd=root, capture_output=True, text=True,
                              encoding="utf-8", timeout=10, env=env)
    except subprocess.TimeoutExpired:
        raise AssertionError("serve started instead of refusing") from None


@pytest.mark.parametrize("folder", ["output", "./output/", "output/xem-truoc", "ban-in",
                                    "ban-in/xem-truoc"])
def test_serve_refuses_any_folder_a_build_publishes(make_site, folder: str) -> None:
    """build's default folder (made or not), a folder inside it, and one a build wrote to (its
    marker file says so), or a folder inside that."""
    site = make_site({"content/a.md": article("Bài một")})
    site.build("--output", str(site.root / "ban-in"))
    refused = _serve_once(site.root, "--output", folder)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "error: refusing to build the preview into" in refused.stderr
    assert "hint: Leave --output out" in refused.stderr and "Traceback" not in refused.stderr
    assert not (site.root / "output").exists() and not (site.root / "ban-in" / "xem-truoc").exists()


def test_the_marker_says_which_kind_of_build_wrote_a_folder_last(make_site) -> None:
    """serve's own folder is its again at the next start; once a build writes there, it is a
    folder for publishing. The default preview folder made by an older version (a build's
    marker) is still serve's."""
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root, "--output", "xem-truoc") as server:
        assert server.stop() == 0
    with serving(site.root, "--output", "xem-truoc") as server:
        assert server.get("/tin/bai-mot/")[0] == 200
        assert server.stop() == 0
    site.build("--output", str(site.root / "xem-truoc"))
    assert _serve_once(site.root, "--output", "xem-truoc").returncode == 2

    old = site.root / ".cache" / "serve-output"
    site.write({".cache/serve-output/.bulletin-output": (site.root / "xem-truoc" /
                                                         ".bulletin-output").read_bytes(),
                ".cache/serve-output/index.html": "cũ"})
    with serving(site.root) as server:
        assert server.get("/tin/bai-mot/")[0] == 200
        assert server.stop() == 0
    assert b"preview" in (old / ".bulletin-output").read_bytes()


@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed here")
def test_a_seventh_open_tab_still_loads(make_site) -> None:
    """A browser allows 6 HTTP/1.x connections per host: were each open page to keep an
    EventSource connection of its own, with six preview tabs open the seventh would never
    load (nor would new assets). They share one."""
    sync_api = pytest.importorskip("playwright.sync_api")
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        try:
            context = browser.new_context()
            for _ in range(6):
                context.new_page().goto(server.url + "tin/bai-mot/", timeout=10_000)
            seventh = context.new_page()
            try:
                seventh.goto(server.url + "tin/bai-mot/", timeout=5_000)
                loaded = True
            except sync_api.TimeoutError:
                loaded = False
            assert loaded, "the seventh tab of the preview does not load"
        finally:
            browser.close()
        assert server.stop() == 0


def test_a_static_folder_made_after_the_start_is_watched(make_site) -> None:
    """The start warns 'static folder not found' and tells the editor to make one; once made,
    it is watched, and its files reach the preview."""
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root, "--static", "static") as server:
        assert server.get("/xin-chao.txt")[0] == 404
        site.write({"static/xin-chao.txt": "Xin chào\n"})
        _until(lambda: server.get("/xin-chao.txt")[:2] == (200, "Xin chào\n"),
               "a file in the new static/ is served")
        assert server.stop() == 0


def test_edits_in_a_replaced_content_folder_are_seen(make_site) -> None:
    """content/ renamed away and a new one put in its place (a sync tool, `mv`): a system
    watch follows the old folder; serve's watches the new one from then on."""
    site = make_site({"content/a.md": article("Bài một", body="Một.")})
    with serving(site.root) as server:
        shutil.copytree(site.content, site.root / "content.new")
        os.rename(site.content, site.root / "content.old")
        os.rename(site.root / "content.new", site.content)
        _until(lambda: "".join(server.lines).count("rebuilt") >= 1, "the swap's own rebuild")
        site.write({"content/a.md": article("Bài một", body="Hai.")})
        _until(lambda: "Hai." in server.get("/tin/bai-mot/")[1], "the edit is served")
        assert server.stop() == 0


def test_a_templates_folder_deleted_and_made_again_is_watched(make_site) -> None:
    """templates/ deleted (the theme's own stand in), then another renamed into its place: its
    templates are used, and an edit in it is seen."""
    site = make_site({"content/a.md": article("Bài một")})
    templates = site.root / "templates"
    shutil.copytree(PROJECT / "templates", templates)
    with serving(site.root, "--templates", "templates") as server:
        rebuilt = "".join(server.lines).count("rebuilt")
        shutil.rmtree(templates)  # the theme's own templates stand in meanwhile
        _until(lambda: "".join(server.lines).count("rebuilt") > rebuilt, "the removal is seen")
        shutil.copytree(PROJECT / "templates", site.root / "templates.new")
        page = site.root / "templates.new" / "article.html"
        page.write_text(page.read_text(encoding="utf-8").replace(
            "{{ article.title }}", "{{ article.title }} (mẫu mới)", 1), encoding="utf-8")
        os.rename(site.root / "templates.new", templates)
        _until(lambda: "(mẫu mới)" in server.get("/tin/bai-mot/")[1], "the new templates are used")
        page = templates / "article.html"
        page.write_text(page.read_text(encoding="utf-8").replace("(mẫu mới)", "(sửa lại)"),
                        encoding="utf-8")
        _until(lambda: "(sửa lại)" in server.get("/tin/bai-mot/")[1], "an edit in them is seen")
        assert server.stop() == 0


def test_a_refused_preview_folder_says_why(make_site) -> None:
    """A rebuild that the writer refuses (here: the preview folder lost the tool's marker file)
    prints the refusal's message and hint, 'refusing to write into …', as a build does, and the
    overlay shows them (not just 'the preview folder cannot be written')."""
    site = make_site({"content/a.md": article("Bài một", body="Một.")})
    with serving(site.root) as server:
        (site.root / ".cache" / "serve-output" / ".bulletin-output").unlink()
        site.write({"content/a.md": article("Bài một", body="Hai.")})
        _until(lambda: server.get("/tin/bai-mot/")[0] == 500, "the overlay is shown")
        body = server.get("/tin/bai-mot/")[1]
        overlay = lxml.html.fromstring(body).cssselect("#bulletin-overlay")[0].text_content()
        _until(lambda: "refusing to write into .cache/serve-output" in "".join(server.lines),
               "the terminal says why the rebuild failed")
        assert "refusing to write into .cache/serve-output" in overlay
        hint = "Empty it or pass another folder"
        assert hint in overlay and hint in "".join(server.lines)  # the hint too, in both
        assert server.stop() == 0


def test_a_second_serve_of_the_site_leaves_the_first_alone(make_site) -> None:
    """The busy-port hint says 'pass --port 8001': a second serve of the same site (the first
    one forgotten in another terminal) builds into the same .cache/serve-output, so the first
    server now serves pages whose links, canonical and feeds point at the second one's port
    (and their rebuilds collide: internal errors). It refuses, naming the first one's address:
    one server per preview folder and per cache."""
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root) as first:
        second = _serve_once(site.root)
        assert second.returncode == 2, second.stdout + second.stderr
        assert "is already previewing this site" in second.stderr and first.url in second.stderr
        assert "Traceback" not in second.stderr
        assert "Serving the preview" not in second.stdout
        canonical = lxml.html.fromstring(first.get("/")[1]).cssselect('link[rel="canonical"]')[0]
        assert canonical.get("href") == first.origin + "/"
        assert first.stop() == 0


def test_a_second_preview_beside_the_first_needs_its_own_folder_and_cache(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root) as first:
        refused = _serve_once(site.root, "--output", "xem-truoc")  # the same cache
        assert refused.returncode == 2 and "serve/serve.lock" in refused.stderr
        with serving(site.root, "--output", "xem-truoc", "--cache", ".cache-2") as second:
            assert second.get("/tin/bai-mot/")[0] == 200 and first.get("/tin/bai-mot/")[0] == 200
            assert second.stop() == 0
        assert first.stop() == 0


def test_the_lock_of_a_killed_server_blocks_nothing(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root) as first:
        first.process.kill()
        first.process.wait()
    assert (site.root / ".cache" / "serve" / "serve.lock").is_file()
    with serving(site.root) as again:
        assert again.get("/tin/bai-mot/")[0] == 200
        assert again.stop() == 0


@pytest.mark.parametrize("folder", ["content/xem-truoc", "."])
def test_a_refused_preview_folder_gets_no_lock_file(make_site, tmp_path: Path,
                                                     folder: str) -> None:
    """A serve refused its preview folder (inside content/, or the site's own folder) writes
    nothing: no lock file beside the folder (content/.xem-truoc.lock would be published by the
    next build; ../.site.lock lands outside the site), the folder is checked first."""
    site = make_site({"content/a.md": article("Bài một")})
    before = sorted(tmp_path.rglob("*"))
    refused = _serve_once(site.root, "--output", folder)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "refusing to use" in refused.stderr
    assert sorted(tmp_path.rglob("*")) == before


def test_no_lock_file_lies_beside_the_preview_folder(make_site) -> None:
    """The preview folder's lock is in this user's lock folder, named by a hash of its path, not
    beside it: a second serve of that folder is refused even with a cache of its own."""
    site = make_site({"content/a.md": article("Bài một")})
    with serving(site.root, "--output", "xem-truoc") as first:
        assert [p.name for p in site.root.iterdir() if p.name.endswith(".lock")] == []
        refused = _serve_once(site.root, "--output", "xem-truoc", "--cache", ".cache-2")
        assert refused.returncode == 2 and first.url in refused.stderr, refused.stderr
        assert "is already previewing this site" in refused.stderr
        assert first.stop() == 0


def test_a_lock_file_that_cannot_be_opened_is_a_usage_error(make_site) -> None:
    """A folder where the cache's lock file goes is exit 2 naming the path, with a hint, not an
    'internal error' (exit 3)."""
    site = make_site({"content/a.md": article("Bài một")})
    (site.root / ".cache" / "serve" / "serve.lock").mkdir(parents=True)
    refused = _serve_once(site.root)
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "cannot open the lock file .cache/serve/serve.lock" in refused.stderr
    assert "hint: " in refused.stderr and "internal error" not in refused.stderr


def test_a_lock_folder_others_may_write_to_is_refused(make_site, tmp_path: Path) -> None:
    """In a shared temporary folder, a lock folder another user made (or may write to) could
    hold a link that makes the lock's writes land in one of this user's files: refused."""
    site = make_site({"content/a.md": article("Bài một")})
    temp = tmp_path / "temp"
    (temp / f"bulletin-{os.getuid()}").mkdir(parents=True)
    (temp / f"bulletin-{os.getuid()}").chmod(0o777)
    env = {key: value for key, value in os.environ.items() if key != "XDG_RUNTIME_DIR"}
    refused = _serve_once(site.root, env={**env, "TMPDIR": str(temp)})
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert f"cannot open the lock file {temp}/bulletin-{os.getuid()}/serve-" in refused.stderr
    assert "not a folder of this user's alone" in refused.stderr
    assert not (site.root / ".cache" / "serve-output").exists()  # nothing was built


_CTRL_C_IN_A_WORKER = r'''
import os, signal, sys, time
from multiprocessing import connection

parent, fired, send = os.getpid(), [], connection.Connection._send


def _send(self, buf, *args):
    send(self, buf, *args)
    if os.getpid() != parent and len(buf) == 4 and not fired:  # the header of a large result
        fired.append(1)
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        os.killpg(0, signal.SIGINT)  # Ctrl-C: the terminal signals the whole process group,
        time.sleep(0.5)  # which this worker takes a moment later, its result half sent
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


connection.Connection._send = _send
from bulletin.cli import main
sys.exit(main(sys.argv[1:]))
'''


def _many(body: str) -> dict[str, str]:
    """300 articles of 400 sentences each ({i} their number): a first build long enough to
    use worker processes."""
    return {f"content/bai-{i}.md": article(f"Bài số {i}", tags=f"[t{i % 5}]",
                                           body=body.format(i=i) * 400) for i in range(300)}


def _interrupted(site: Site, *args: str) -> tuple[int, str]:
    """Run build.py with ``args`` in a session of its own, with _CTRL_C_IN_A_WORKER sending
    Ctrl-C as a worker sends a result; its exit code and output, or a failure if it hangs."""
    command = [sys.executable, "-c", _CTRL_C_IN_A_WORKER, *args,
               "--templates", str(PROJECT / "templates"), "--static", str(PROJECT / "static")]
    process = subprocess.Popen(command, cwd=site.root, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                               start_new_session=True,
                               env={**os.environ, "BULLETIN_WORKERS": "2",
                                    "PYTHONPATH": str(PROJECT)})
    try:
        out, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.communicate()
        raise AssertionError(f"{args[0]} did not stop on Ctrl-C") from None
    return process.returncode, out


def test_ctrl_c_during_a_parallel_build_stops_the_server(make_site) -> None:
    """Ctrl-C in the terminal goes to the worker processes too. One that took it while sending
    its result would leave half a message in the result pipe, and the main process waiting
    forever in pool.shutdown() for the rest: serve (and build) would hang instead of stopping.
    Workers ignore it. (Seen without any patching, by sending SIGINT to the process group at
    the right moment of a 1,500-article first build; the patch only picks that moment.)"""
    site = make_site(_many("Nội dung bài {i}. "))
    code, out = _interrupted(site, "serve", "--port", "0")
    assert code == 0 and "Stopped." in out, out
    assert "Traceback" not in out, out


def test_ctrl_c_during_a_parallel_build_leaves_the_output_as_it_was(make_site) -> None:
    """The same Ctrl-C during `build`: it stops ("interrupted", exit 130), and output/ keeps the
    last build's files, as the README promises."""
    site = make_site(_many("Nội dung bài {i}. "))
    site.build()
    before = {p: p.read_bytes() for p in site.output.rglob("*") if p.is_file()}
    site.write(_many("Bài {i} đã sửa. "))
    code, out = _interrupted(site, "build")
    assert code == 130 and "interrupted" in out, out
    assert "Traceback" not in out, out
    after = {p: p.read_bytes() for p in site.output.rglob("*") if p.is_file()}
    assert after == before



@pytest.mark.skipif(not shutil.which("chromium"), reason="chromium is not installed here")
def test_every_open_tab_reloads_through_the_one_shared_stream(make_site) -> None:
    """Eight tabs share one event stream (a shared worker): an edit reloads each, an error shows
    its overlay in each. A browser without shared workers gives each page its own stream."""
    sync_api = pytest.importorskip("playwright.sync_api")
    site = make_site({"content/a.md": article("Bài một", body="Trước khi sửa.")})
    with serving(site.root) as server, sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"))
        try:
            context = browser.new_context()
            pages = []
            for _ in range(8):
                page = context.new_page()
                page.goto(server.url + "tin/bai-mot/", timeout=10_000)
                pages.append(page)
            older = browser.new_context()  # its pages cannot share a worker: none exists here
            older.add_init_script("delete window.SharedWorker")
            alone = older.new_page()
            alone.goto(server.url + "tin/bai-mot/", timeout=10_000)
            assert alone.evaluate("typeof SharedWorker") == "undefined"
            pages.append(alone)
            site.write({"content/a.md": article("Bài một", body="Sau khi sửa.")})
            for page in pages:
                page.wait_for_function(
                    "() => document.querySelector('.article-body')?.textContent.trim()"
                    " === 'Sau khi sửa.'", timeout=10_000)
            site.write({"content/a.md": article("Bài một", date="hôm nay")})
            for page in pages:
                page.wait_for_selector("#bulletin-overlay", timeout=10_000)
        finally:
            browser.close()
        assert server.stop() == 0


def test_the_shared_worker_script_is_served(make_site) -> None:
    site = make_site({"content/a.md": article("Bài một")},
                     config='title = "Bản tin"\nbase_url = "https://example.gov.vn/ban-tin/"\n')
    with serving(site.root) as server:
        code, body, headers = server.get("/__bulletin/live-reload.js")  # outside the sub-path
        assert code == 200 and headers["Content-Type"].startswith("text/javascript")
        assert 'new EventSource("/__bulletin/events")' in body
        # the stream dropped (the server stopped): the old server's token is given to no page
        assert "events.onerror = () => { latest = null; };" in body
        page = server.get("/ban-tin/tin/bai-mot/")[1]
        script = lxml.html.fromstring(page).cssselect("script#bulletin-live-reload")[0].text
        assert 'new SharedWorker("/__bulletin/live-reload.js"' in script
        assert server.stop() == 0


def test_a_stopped_server_leaves_later_builds_free_to_run(make_site, monkeypatch) -> None:
    """serve cancels a rebuild under way as it stops (parallel.cancel); once its watcher's thread
    has ended, a later build in the same process (a test, a tool calling serve) runs again,
    rather than every fan_out raising KeyboardInterrupt from then on."""
    import io
    import signal
    import threading

    from bulletin import parallel
    from bulletin.console import Console
    from bulletin.pipeline import Options
    from bulletin.serve import serve

    site = make_site({"content/a.md": article("Bài một")})
    monkeypatch.chdir(site.root)
    monkeypatch.setenv("BULLETIN_WORKERS", "2")
    monkeypatch.setattr(parallel, "_CANCELLED", False)  # and so again after this test
    out = io.StringIO()

    def stop() -> None:
        deadline = time.monotonic() + 20
        while "Serving the preview" not in out.getvalue():
            if time.monotonic() > deadline:
                return
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C

    threading.Thread(target=stop, daemon=True).start()
    code = serve(Options(content=Path("content"), output=Path(".cache/serve-output"),
                         config=Path("site.toml"), templates=PROJECT / "templates",
                         static=PROJECT / "static", cache=Path(".cache/serve")),
                 "127.0.0.1", 0, Console(out=out, err=io.StringIO()))
    assert code == 0 and "Stopped." in out.getvalue()
    assert not parallel._CANCELLED  # noqa: SLF001
    assert parallel.fan_out(_numbers, None, 1000) == list(range(1000))


def _numbers(_: None, start: int, stop: int) -> list[int]:
    return list(range(start, stop))
