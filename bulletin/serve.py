"""`build.py serve`: a local preview with drafts, rebuilt on change, live reload, error overlay.

The preview is built into its own folder (``.cache/serve-output`` by default), never ``output/``.
The reload script and the error overlay exist only in HTTP responses: nothing served-only is ever
written to disk, so a normal build never contains them.
"""

from __future__ import annotations

import errno
import hashlib
import html
import mimetypes
import os
import shutil
import signal
import socket
import stat
import tempfile
import threading
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import watchfiles

from .config import load_config
from .console import Console
from .errors import BuildFailed, SourceError, UsageError, display_path
from .parallel import cancel, resume
from .pipeline import Options, build, check_output_folder
from .writer import built_for_publishing

DEFAULT_PREVIEW = Path(".cache/serve-output")
EVENTS = "/__bulletin/events"
WORKER = "/__bulletin/live-reload.js"
KEEPALIVE_SECONDS = 15.0


# -- the state every thread shares ----------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Snapshot:
    """The outcome of the latest build, as requests see it."""

    token: str  # changes on every build; the reload script compares it with its page's
    prefix: str  # the site's base path, '' or '/ban-tin'
    errors: tuple[SourceError, ...]  # empty when the build succeeded


class Status:
    """The latest Snapshot, published by the builder and awaited by the live-reload streams."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._count = 0
        self._closed = False
        self._current = Snapshot(self._token(), "", ())

    def _token(self) -> str:
        return f"{os.getpid()}.{self._count}"  # a restarted server differs from the old one

    @property
    def current(self) -> Snapshot:
        with self._changed:
            return self._current

    def publish(self, prefix: str, errors: tuple[SourceError, ...]) -> None:
        with self._changed:
            self._count += 1
            self._current = Snapshot(self._token(), prefix, errors)
            self._changed.notify_all()

    def wait(self, seen: str | None, timeout: float) -> Snapshot | None:
        """The snapshot once its token is not ``seen`` (or at ``timeout``); None once closed."""
        with self._changed:
            self._changed.wait_for(lambda: self._closed or self._current.token != seen, timeout)
            return None if self._closed else self._current

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._changed.notify_all()


# -- building ---------------------------------------------------------------------------------
class Previewer:
    """Builds the preview (drafts and scheduled articles in) under a local base URL; never raises
    for content errors: they go to the terminal and to the Status for the browser overlay."""

    def __init__(self, options: Options, origin: str, status: Status, console: Console) -> None:
        # The entries every rebuild reads again stay in memory, in this dict (see cache.Cache).
        self.options = replace(options, drafts=True, future=True, write=True, resident={},
                               preview=True)
        self.origin = origin
        self.status = status
        self.console = console
        self._lock = threading.Lock()

    def url(self) -> str:
        return f"{self.origin}{self.status.current.prefix}/"

    def rebuild(self, changed: Iterable[str] = (), first: bool = False) -> None:
        with self._lock:
            prefix = self.status.current.prefix
            changed = sorted(changed)
            if changed:
                self.console.detail("changed: " + ", ".join(changed))
            try:
                prefix = load_config(self.options.config).base_path
                result = build(replace(self.options, base_url=f"{self.origin}{prefix}/"))
            except BuildFailed as failed:
                for error in failed.errors:
                    self.console.source_error(error)
                problems = tuple(e for e in failed.errors if not e.warning)
                self.console.problem(f"{len(problems)} error(s): the browser shows them until they "
                                     "are fixed; the preview keeps the last good build.")
                self.status.publish(prefix, problems)
                return
            except KeyboardInterrupt:  # Ctrl-C: in this thread, the first build's
                if first:
                    raise
                return  # in the watcher's, a rebuild that serve() cancelled as it stopped
            except UsageError as refused:  # e.g. the writer refuses the preview folder
                if first:
                    raise
                self.console.usage_error(refused)
                self.status.publish(prefix, (SourceError(
                    display_path(self.options.output), None, refused.message, refused.hint),))
                return
            except Exception as exc:  # noqa: BLE001 - keep serving; the editor sees one line
                if self.console.verbose:
                    traceback.print_exc()
                self.console.problem(f"internal error while rebuilding: {type(exc).__name__}: "
                                     f"{exc}")
                self.status.publish(prefix, (SourceError(
                    "build.py", None, f"internal error: {type(exc).__name__}: {exc}",
                    "A problem in the tool, not in your content: run with --verbose and report "
                    "it."),))
                return
            for warning in result.warnings:
                self.console.source_error(warning)
            report = result.report
            written = f", {report.written} written" if report else ""
            what = "built" if first else "rebuilt"
            self.console.say(f"{what} {result.articles} articles: {result.pages} pages{written} in "
                             f"{result.seconds:.2f} s")
            self.status.publish(prefix, ())


# -- watching ---------------------------------------------------------------------------------
class Watcher:
    """Watches content/, templates/ and static/ recursively and the config file, in two threads.

    The folders are watched by path, not as the folders they were at the start (a system watch
    follows a folder renamed away): one made later (static/), or renamed away and another put in
    its place (a sync tool, ``mv``), is watched from then on, and its coming counts as a change.
    Their identities are compared twice a second; when one differs, the watch is made again.
    """

    def __init__(self, options: Options, on_change: Any, console: Console) -> None:
        self.stop = threading.Event()
        self.console = console
        self.on_change = on_change
        self.folders = [p.absolute() for p in (options.content, options.templates, options.static)]
        config = options.config.resolve()
        self.jobs: list[Any] = [self._watch_folders,
                                lambda ready: self._watch([config.parent], False,
                                                          lambda change, path: Path(path) == config,
                                                          ready)]
        self.ready = [threading.Event() for _ in self.jobs]
        self.threads = [threading.Thread(target=job, args=(ready,), daemon=True,
                                         name="bulletin-watch")
                        for job, ready in zip(self.jobs, self.ready, strict=True)]
        self._polling: bool | None = None  # None: the system's notifications; True: polling

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def wait_ready(self, timeout: float = 5.0) -> None:
        for ready in self.ready:
            ready.wait(timeout)

    def close(self) -> bool:
        """Stop watching; whether both threads have ended (a rebuild under way may outlast the
        two seconds given to each)."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=2)
        return not any(thread.is_alive() for thread in self.threads)

    def _identities(self) -> list[tuple[int, int] | None]:
        """What each folder is now: its device and inode (through a symlink), None if none."""
        found: list[tuple[int, int] | None] = []
        for folder in self.folders:
            try:
                info = folder.stat()
            except OSError:
                found.append(None)
                continue
            found.append((info.st_dev, info.st_ino) if folder.is_dir() else None)
        return found

    def _watch_folders(self, ready: threading.Event) -> None:
        armed: list[tuple[int, int] | None] | None = None
        while not self.stop.is_set():
            now = self._identities()
            came = [] if armed is None else [
                display_path(folder) + "/" for folder, before, after
                in zip(self.folders, armed, now, strict=True) if before != after and after]
            armed = now
            paths = [folder.resolve() for folder, identity in zip(self.folders, now, strict=True)
                     if identity is not None]
            if not paths:  # none exists (yet)
                ready.set()
                self.stop.wait(0.5)
                continue
            # a folder that came is read again once its watch is set: nothing saved in it since
            # it came is missed
            self._watch(paths, True, watchfiles.DefaultFilter(), ready, came,
                        partial(self._moved, now))

    def _moved(self, armed: list[tuple[int, int] | None]) -> bool:
        return self._identities() != armed

    def _watch(self, paths: list[Path], recursive: bool, accept: Any, ready: threading.Event,
               came: list[str] | None = None, moved: Any = None) -> None:
        """Watch ``paths`` until stopped, or until ``moved()`` says a path is another folder now."""
        while not self.stop.is_set():
            try:
                for changes in watchfiles.watch(*paths, watch_filter=accept, recursive=recursive,
                                                stop_event=self.stop, raise_interrupt=False,
                                                rust_timeout=500, yield_on_timeout=True,
                                                force_polling=self._polling):
                    ready.set()
                    if came:
                        self.on_change(came)
                        came = None
                    if changes:
                        self.on_change(display_path(Path(p)) for _, p in changes)
                    if moved is not None and moved():
                        return
                return
            except (OSError, RuntimeError) as exc:  # e.g. no inotify watches left: poll instead
                if moved is not None and moved():  # a folder went as the watch was set
                    return
                if self._polling:
                    self.console.problem(f"cannot watch files for changes: {exc}")
                    ready.set()
                    self.stop.wait()
                    return
                self.console.detail(f"file watching failed ({exc}); polling instead")
                self._polling = True


# -- serving ----------------------------------------------------------------------------------
# The pages of the preview share one event stream, through a shared worker: a browser opens at
# most 6 HTTP/1.1 connections to a host, so with a stream of its own each, a 7th tab of the
# preview would never load. A browser without shared workers (Chrome on Android) gives each page
# its own stream. A token is "server process.build number" (see Status): a page reloads when
# another server or a later build sends one, never for the build before its own, which the
# worker may still hold when the page comes.
RELOAD_SCRIPT = """<script id="bulletin-live-reload">
(() => {
  const [server, build] = "%s".split(".");
  const stale = (token) => {
    const [other, number] = token.split(".");
    return other !== server || Number(number) > Number(build);
  };
  if (typeof SharedWorker === "function") {
    const worker = new SharedWorker("%s", { name: "bulletin-reload" });
    worker.port.onmessage = (event) => { if (stale(event.data)) location.reload(); };
    addEventListener("pagehide", () => worker.port.postMessage("gone"));
    addEventListener("pageshow", (event) => { if (event.persisted) location.reload(); });
  } else {
    const events = new EventSource("%s");
    events.onmessage = (event) => {
      if (stale(event.data)) { events.close(); location.reload(); }
    };
  }
})();
</script>
"""

# The shared worker: one stream, each token passed on to every page, the latest to a page as
# it comes. The latest is forgotten when the stream drops: a page of a restarted server, come
# before the stream reconnects, must not be given the old server's token (it would reload).
WORKER_SCRIPT = """const pages = new Set();
let latest = null;
const events = new EventSource("%s");
events.onmessage = (event) => {
  latest = event.data;
  for (const page of pages) page.postMessage(latest);
};
events.onerror = () => { latest = null; };
onconnect = (event) => {
  const page = event.ports[0];
  pages.add(page);
  page.onmessage = (message) => { if (message.data === "gone") pages.delete(page); };
  if (latest !== null) page.postMessage(latest);
};
"""


def inject(page: bytes, token: str) -> bytes:
    """The page with the live-reload script before its last ``</body>`` (or at the end).

    >>> inject(b"<p>x</p></BODY></html>", "1.2").count(b"bulletin-live-reload")
    1
    """
    script = (RELOAD_SCRIPT % (token, WORKER, EVENTS)).encode()
    at = page.lower().rfind(b"</body>")
    return page + script if at < 0 else page[:at] + script + page[at:]


def overlay(errors: tuple[SourceError, ...], token: str) -> bytes:
    """A page listing each error as ``path:line: message`` and its hint, all escaped."""
    items = []
    for error in errors:
        place = f"{error.path}:{error.line}" if error.line else error.path
        hint = f'\n<p class="hint">{html.escape(error.hint)}</p>' if error.hint else ""
        items.append(f'<li><code class="place">{html.escape(place)}</code>: '
                     f'<span class="message">{html.escape(error.message)}</span>{hint}</li>')
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed: {len(errors)} error(s)</title>
<style>
body {{ margin: 0; background: #1d1f21; color: #f0f0f0; font: 16px/1.5 system-ui, sans-serif; }}
#bulletin-overlay {{ max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
h1 {{ color: #ff6b6b; font-size: 1.4rem; }}
li {{ margin-bottom: 1rem; }}
code {{ color: #ffd166; font-size: 1rem; }}
.hint {{ margin: .25rem 0 0; color: #b8c4ce; white-space: pre-wrap; }}
</style>
</head>
<body>
<div id="bulletin-overlay" role="alert">
<h1>The preview could not be rebuilt: {len(errors)} error(s)</h1>
<ol>
{chr(10).join(items)}
</ol>
<p>Fix the files and save: this page reloads by itself.</p>
</div>
</body>
</html>
"""
    return inject(page.encode("utf-8"), token)


class PreviewServer(ThreadingHTTPServer):
    """An HTTP server for the preview folder; request threads never outlive the process."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], root: Path, status: Status,
                 console: Console) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, PreviewHandler)
        self.root = root.resolve()
        self.status = status
        self.console = console

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that hangs up mid-response is normal: one line with --verbose, no traceback."""
        import sys

        exc = sys.exc_info()[1]
        self.console.detail(f"request from {client_address[0]} ended: {type(exc).__name__}: {exc}")


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "bulletin-preview"

    def do_GET(self) -> None:  # noqa: N802 (http.server's API)
        self._respond(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(send_body=False)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's API)
        self.server.console.detail(f"{self.address_string()} {format % args}")

    def _respond(self, send_body: bool) -> None:
        url = urlsplit(self.path)
        path = unquote(url.path)
        if path == EVENTS:
            self._events(send_body)
            return
        if path == WORKER:
            self._send(200, "text/javascript; charset=utf-8", (WORKER_SCRIPT % EVENTS).encode(),
                       send_body)
            return
        snapshot = self.server.status.current
        prefix = unquote(snapshot.prefix)  # base_url may spell its path percent-encoded
        if prefix and not path.startswith(prefix + "/"):
            if path in ("/", "", prefix):
                self._redirect(quote(prefix + "/") + (f"?{url.query}" if url.query else ""))
                return
            file = None
        else:
            found = self._find(path[len(prefix):])
            if isinstance(found, str):
                self._redirect(url.path + "/" + (f"?{url.query}" if url.query else ""))
                return
            file = found
        if snapshot.errors and (file is None or file.suffix in (".html", ".htm")):
            self._send(500, "text/html; charset=utf-8", overlay(snapshot.errors, snapshot.token),
                       send_body)
        elif file is None:
            not_found = self.server.root / "404.html"
            if not_found.is_file():
                self._send(404, "text/html; charset=utf-8",
                           inject(not_found.read_bytes(), snapshot.token), send_body)
            else:
                self._send(404, "text/plain; charset=utf-8", b"404 Not Found\n", send_body)
        elif file.suffix in (".html", ".htm"):
            self._send(200, "text/html; charset=utf-8", inject(file.read_bytes(), snapshot.token),
                       send_body)
        else:
            self._send_file(file, send_body)

    def _find(self, rel: str) -> Path | str | None:
        """The file a site path names; "slash" when a folder is asked for without its '/'."""
        parts = [p for p in rel.split("/") if p]
        if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts):
            return None
        candidate = self.server.root.joinpath(*parts)
        try:
            if not candidate.resolve().is_relative_to(self.server.root):
                return None
            if candidate.is_dir():
                if not rel.endswith("/"):
                    return "slash"
                candidate = candidate / "index.html"
            return candidate if candidate.is_file() else None
        except OSError:
            return None

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _send(self, code: int, kind: str, body: bytes, send_body: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _send_file(self, file: Path, send_body: bool) -> None:
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        try:
            handle = file.open("rb")
        except OSError:
            self._send(404, "text/plain; charset=utf-8", b"404 Not Found\n", send_body)
            return
        with handle:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(os.fstat(handle.fileno()).st_size))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if send_body:
                shutil.copyfileobj(handle, self.wfile)

    def _events(self, send_body: bool) -> None:
        """Server-Sent Events: the current build token now, then each new one as builds finish.
        A HEAD request gets the headers alone."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not send_body:
            return
        seen: str | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                snapshot = self.server.status.wait(seen, KEEPALIVE_SECONDS)
                if snapshot is None:
                    return
                if snapshot.token != seen:
                    seen = snapshot.token
                    self.wfile.write(f"data: {seen}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


# -- the command ------------------------------------------------------------------------------
def origin_for(host: str, port: int) -> str:
    """The origin links use: a wildcard listening address is browsed as the loopback one.

    >>> origin_for("0.0.0.0", 8000)
    'http://127.0.0.1:8000'
    >>> origin_for("::1", 8000)
    'http://[::1]:8000'
    """
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def check_preview_folder(output: Path, published: Path = Path("output")) -> None:
    """Refuse a preview folder that a build publishes: ``published`` (build's default folder),
    one inside it, or one whose marker file (or a folder's holding it) says a build wrote it.
    Raises UsageError.

    The marker is the one thing that names the folder's maker wherever it lies; serve's own
    default folder is let through whatever its marker says, as previews made before the markers
    differed have a build's.
    """
    out = output.resolve()
    shown = display_path(output)
    hint = (f"Leave --output out (the preview goes to {DEFAULT_PREVIEW}/), or pass a folder of "
            "its own, e.g. --output /tmp/preview.")
    if out == published.resolve() or out.is_relative_to(published.resolve()):
        raise UsageError(f"refusing to build the preview into {shown}: `build` publishes "
                         f"{display_path(published)}/, and a preview holds drafts and links to "
                         "this computer", hint)
    if out == DEFAULT_PREVIEW.resolve():
        return
    for folder in (out, *out.parents):
        if built_for_publishing(folder):
            raise UsageError(f"refusing to build the preview into {shown}: "
                             f"{display_path(folder)} was written by a build, for publishing, and "
                             "a preview holds drafts and links to this computer",
                             hint + f" If {display_path(folder)} is an old preview, delete it.")


class Claim:
    """Lock files that one running server holds (``fcntl.flock``): one for its preview folder, in
    this user's lock folder (see ``lock_folder``) and named by a hash of the folder's resolved
    path, and one in its cache folder. A second serve of the same site is refused rather than
    building into the same folder or cache, and the first serving pages that link to the second.
    No lock file lies in a folder a build reads or publishes, and none is made before the
    preview folder has passed its checks. The kernel lets a lock go when its process ends: the
    file a killed server leaves blocks nothing. Each file says which process holds it and where
    it serves, for the second one's message."""

    def __init__(self, options: Options) -> None:
        self.output = options.output.resolve()
        self.cache = options.cache.resolve() if options.cache is not None else None
        self.files: list[Any] = []

    def take(self) -> None:
        """Lock every file, or raise UsageError naming the server that holds one, or the lock
        file that cannot be opened."""
        try:
            import fcntl
        except ImportError:  # not on this system (Windows): two servers are not told apart
            return
        digest = hashlib.sha256(os.fsencode(self.output)).hexdigest()[:20]
        folder = lock_folder()
        locks = [(folder / f"serve-{digest}.lock",
                  f"Make {folder} a folder of your own (or remove it), or set TMPDIR to one.")]
        if self.cache is not None:
            locks.append((self.cache / "serve.lock",
                          "Remove what is in its place, make the folder writable, or pass "
                          "another --cache."))
        for path, hint in locks:
            try:
                if path.parent == folder:
                    _own_folder(folder)
                else:
                    path.parent.mkdir(parents=True, exist_ok=True)
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC
                                     | getattr(os, "O_NOFOLLOW", 0), 0o600)
            except OSError as exc:
                self.release()
                raise UsageError(f"cannot open the lock file {display_path(path)}: "
                                 f"{exc.strerror or exc}", hint) from None
            file = os.fdopen(descriptor, "r+", encoding="utf-8")
            try:
                fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = file.read().split()
                file.close()
                self.release()
                pid, url = (holder + ["?", "?"])[:2]
                raise UsageError(
                    f"another `build.py serve` (process {pid}, at {url}) is already previewing "
                    f"this site: it holds {display_path(path)}",
                    "Open its address, or stop it (Ctrl-C in its terminal) and start again. To "
                    "run a second preview beside it, give it its own --output and --cache."
                ) from None
            self.files.append(file)
        self.say("?")

    def say(self, url: str) -> None:
        """Write this process's id and address into the lock files."""
        for file in self.files:
            file.seek(0)
            file.truncate()
            file.write(f"{os.getpid()} {url}\n")
            file.flush()

    def release(self) -> None:
        for file in self.files:
            file.close()
        self.files = []


def lock_folder() -> Path:
    """Where serve's preview-folder locks live: ``$XDG_RUNTIME_DIR/bulletin`` (this user's, and
    emptied at logout), else ``bulletin-<uid>`` in the temporary folder."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime) and os.path.isdir(runtime):
        return Path(runtime) / "bulletin"
    return Path(tempfile.gettempdir()) / f"bulletin-{os.getuid()}"


def _own_folder(folder: Path) -> None:
    """Make ``folder`` (mode 700) unless it exists; raise OSError unless it is a folder, not a
    link, that this user owns and no one else may write to (another user's, in a shared /tmp,
    could hold links that make the lock's writes land in this user's files)."""
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise PermissionError(errno.EACCES, "it is not a folder of this user's alone")


def serve(options: Options, host: str, port: int, console: Console) -> int:
    """Build, serve and rebuild on change until Ctrl-C; returns the exit code (0 on Ctrl-C)."""
    check_preview_folder(options.output)
    check_output_folder(options)  # as the first build would, before any lock file is made
    claim = Claim(options)
    claim.take()
    try:
        return _serve(options, host, port, console, claim)
    finally:
        claim.release()


def _serve(options: Options, host: str, port: int, console: Console, claim: Claim) -> int:
    status = Status()
    try:
        server = PreviewServer((host, port), options.output, status, console)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         "Another program may use this port: pass --port 8001, or --port 0 for any "
                         "free port.") from None
    previewer = Previewer(options, origin_for(host, server.server_address[1]), status, console)
    claim.say(previewer.origin + "/")
    watcher = Watcher(options, previewer.rebuild, console)
    previous_term = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
    try:
        watcher.start()
        previewer.rebuild(first=True)
        watcher.wait_ready()
        console.say(f"Serving the preview at {previewer.url()} (drafts and scheduled articles "
                    "included)")
        console.say(f"Watching {_watched(options)}; the browser reloads by itself. "
                    "Press Ctrl-C to stop.")
        server.serve_forever()
    except KeyboardInterrupt:
        console.say("\nStopped.")
    finally:
        signal.signal(signal.SIGTERM, previous_term)
        status.close()
        cancel()  # a rebuild under way in the watcher's thread, and its worker processes
        if watcher.close():  # no rebuild is left to stop: a later build in this process may run
            resume()
        server.server_close()
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _watched(options: Options) -> str:
    names = [display_path(p) + "/" for p in (options.content, options.templates, options.static)
             if p.is_dir()]
    return ", ".join(names + [display_path(options.config)])
