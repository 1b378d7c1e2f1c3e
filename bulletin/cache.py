"""A persistent cache keyed by content hash, so unchanged articles are not parsed or rendered again."""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterable

from .version import code_version

FLUSH_BYTES = 32 << 20  # pending entries beyond this go to SQLite before the commit
_INHERITED: list[sqlite3.Connection] = []  # connections a forked worker got from its parent
_WRITING: set[threading.Thread] = set()  # background writes under way (see Cache.flush)
# Kinds whose keys stand for what their values are made of (a body's photos aside: assemble
# checks them on every build), which later builds read again: a resident cache keeps them in
# memory between builds (see Cache).
RESIDENT_KINDS = frozenset({"meta", "body", "related-terms", "related", "search-file"})
Resident = dict[tuple[str, str], Any]  # (kind, stored key) → value


def _finish_writes() -> None:
    """Before any fork: wait for the background writes, so that no worker starts inside one
    and every entry they hold is committed, readable by the workers."""
    for thread in list(_WRITING):
        thread.join()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_finish_writes)


def pickled(value: Any) -> bytes:
    """``value`` as the cache stores it (see Cache.put_pickled)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


class Cache:
    """kind → key → picklable value, stored in one SQLite file under the cache folder.

    ``folder=None`` keeps everything in memory for this run only. ``readonly`` never writes (for
    ``check``). Entries not used by a build are dropped when it commits, so the file tracks the site.

    ``resident``: for a process that builds again and again (``serve``), a dict it keeps from
    build to build: the entries of RESIDENT_KINDS read or stored go there too, so that its next
    builds need not read and unpickle them again; those a build did not use leave it when the
    build commits, as they leave the file.
    """

    def __init__(self, folder: Path | None, readonly: bool = False,
                 resident: Resident | None = None) -> None:
        self.folder = folder
        self.resident = resident
        self.readonly = readonly or folder is None
        self.version = code_version()
        self.memory: dict[tuple[str, str], Any] = {}
        self.used: dict[str, set[str]] = {}
        self.pending: dict[tuple[str, str], bytes] = {}
        self.pending_bytes = 0
        self._db: sqlite3.Connection | None = None
        self._pid = -1
        # Whether the file held entries before this build (None: not opened yet). One that held
        # none, as in a first build, has nothing to prune when the build commits.
        self._stale: bool | None = None
        self._writer: threading.Thread | None = None  # the flush under way, if any
        self._writing: dict[tuple[str, str], bytes] = {}  # what it writes (readable meanwhile)
        self._failed = False

    def _connection(self) -> sqlite3.Connection | None:
        if self.folder is None:
            return None
        if self._db is not None and self._pid != os.getpid():
            # A forked worker must never close its parent's connection: SQLite would release or
            # roll back what the parent holds. Keep it alive, unused, and open one of our own.
            _INHERITED.append(self._db)
            self._db = None
        if self._db is None:
            path = self.folder / "bulletin.sqlite"
            if self.readonly and not path.exists():
                return None
            if not self.readonly:
                self.folder.mkdir(parents=True, exist_ok=True)
                gitignore = self.folder / ".gitignore"
                if not gitignore.exists():
                    gitignore.write_text("*\n", encoding="utf-8")
            try:
                uri = f"file:{path}?mode={'ro' if self.readonly else 'rwc'}"
                self._db = sqlite3.connect(uri, uri=True, timeout=30)
                if not self.readonly:
                    self._db.execute("CREATE TABLE IF NOT EXISTS entries (kind TEXT, key TEXT, "
                                     "value BLOB, PRIMARY KEY (kind, key))")
                    if self._stale is None:  # the first connection: did it hold entries?
                        self._stale = self._db.execute(
                            "SELECT 1 FROM entries LIMIT 1").fetchone() is not None
            except sqlite3.Error:
                self._db = None
            self._pid = os.getpid()
        return self._db

    def _key(self, key: str) -> str:
        return f"{self.version}:{key}"

    def get(self, kind: str, key: str, keep: bool = True) -> Any | None:
        return self.get_many(kind, [key], keep).get(key)

    def get_many(self, kind: str, keys: Iterable[str], keep: bool = True) -> dict[str, Any]:
        """The entries found of ``keys``. They are kept for the next build, unless ``keep`` is
        False: what only this build reads (an article's old version) goes when it commits, if
        nothing else uses it."""
        keys = list(keys)
        if keep:
            self.used.setdefault(kind, set()).update(keys)
        found: dict[str, Any] = {}
        missing = []
        resident = self.resident if self.resident is not None and kind in RESIDENT_KINDS \
            else None
        for key in keys:
            if (kind, key) in self.memory:
                found[key] = self.memory[kind, key]
            elif (kind, key) in self.pending:
                found[key] = pickle.loads(self.pending[kind, key])
            elif (kind, key) in self._writing:
                found[key] = pickle.loads(self._writing[kind, key])
            elif resident is not None and (kind, stored := self._key(key)) in resident:
                found[key] = resident[kind, stored]
            else:
                missing.append(key)
        db = self._connection()
        if db is None or not missing:
            return found
        try:
            for start in range(0, len(missing), 500):
                chunk = [self._key(k) for k in missing[start:start + 500]]
                rows = db.execute(f"SELECT key, value FROM entries WHERE kind = ? AND key IN "
                                  f"({','.join('?' * len(chunk))})", [kind, *chunk])
                for stored, value in rows:
                    try:
                        found[stored.split(":", 1)[1]] = loaded = pickle.loads(value)
                    except Exception:  # noqa: BLE001 - a damaged entry is a miss
                        continue
                    if resident is not None:
                        resident[kind, stored] = loaded
        except sqlite3.Error:
            return found
        return found

    def keys(self, kind: str) -> set[str]:
        """Every key stored for ``kind`` (without reading the values)."""
        found = {key for (k, key) in self.memory if k == kind}
        db = self._connection()
        if db is None:
            return found
        try:
            rows = db.execute("SELECT key FROM entries WHERE kind = ? AND substr(key, 1, ?) = ?",
                              (kind, len(self.version) + 1, self.version + ":"))
            found.update(stored.split(":", 1)[1] for stored, in rows)
        except sqlite3.Error:
            pass
        return found

    def touch(self, kind: str, keys: Iterable[str]) -> None:
        """Mark entries as still used without reading them (so commit keeps them)."""
        self.used.setdefault(kind, set()).update(keys)

    def put(self, kind: str, key: str, value: Any, remember: bool = True) -> None:
        """Store ``value``; ``remember=False`` keeps no live copy in this process (it is read
        back from storage if asked for), for large values this build has no further use for;
        a resident cache still keeps those of RESIDENT_KINDS, for the next build."""
        if self.readonly:  # nowhere to store it but here
            self.memory[kind, key] = value
            self.used.setdefault(kind, set()).add(key)
            return
        self.put_pickled(kind, key, pickled(value), value)
        if remember:
            self.memory[kind, key] = value

    def put_pickled(self, kind: str, key: str, data: bytes, value: Any = None) -> None:
        """``put(kind, key, value, remember=False)``, given what ``pickled(value)`` returned
        (in a worker process, say, so that this one need not pickle the value). ``value``, if
        given, is the value itself, for a resident cache to keep (else it unpickles ``data``)."""
        if self.readonly:
            self.put(kind, key, pickle.loads(data) if value is None else value)
            return
        if self.resident is not None and kind in RESIDENT_KINDS:
            self.resident[kind, self._key(key)] = pickle.loads(data) if value is None else value
        self.memory.pop((kind, key), None)
        self.used.setdefault(kind, set()).add(key)
        self.pending[kind, key] = data
        self.pending_bytes += len(data)
        if self.pending_bytes > FLUSH_BYTES:
            self.flush()

    def flush(self, wait: bool = False) -> None:
        """Store the pending entries, to bound memory: a thread of its own writes them (SQLite
        works without holding Python's lock) while the build goes on, and they stay readable
        here meanwhile. Each write is committed before the next one starts and before any fork:
        no write transaction is ever open while the build forks workers. Entries are keyed by
        content, so storing them before the build ends is safe whatever becomes of the build."""
        self._wait()
        if not self.pending or self.readonly or self._connection() is None:
            return
        assert self.folder is not None
        batch, self.pending, self.pending_bytes = self.pending, {}, 0
        self._writing = batch
        rows = [(kind, self._key(key), value) for (kind, key), value in batch.items()]
        thread = threading.Thread(target=self._write, args=(self.folder / "bulletin.sqlite", rows),
                                  name="cache-writer", daemon=True)
        _WRITING.add(thread)
        self._writer = thread
        thread.start()
        if wait:
            self._wait()

    def _write(self, path: Path, rows: list[tuple[str, str, bytes]]) -> None:
        try:
            db = sqlite3.connect(path, timeout=30)
            try:
                with db:
                    db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?)", rows)
            finally:
                db.close()
        except sqlite3.Error:
            self._failed = True  # the entries go back to pending (see _wait)
        finally:
            _WRITING.discard(threading.current_thread())

    def _wait(self) -> None:
        """Wait for the write under way; entries it could not store are pending again."""
        if self._writer is None:
            return
        self._writer.join()
        self._writer = None
        if self._failed:
            self._failed = False
            self.pending = {**self._writing, **self.pending}
            self.pending_bytes = sum(map(len, self.pending.values()))
        self._writing = {}

    def commit(self, prune: bool = True) -> None:
        """Store new entries and, after a whole build, drop the ones it did not use."""
        if self.resident is not None and prune:  # what stays in memory tracks the site too
            for entry in self._unused(list(self.resident)):
                del self.resident[entry]
        db = self._connection()
        if db is None or self.readonly:
            return
        self.flush(wait=True)
        if self.pending:  # the write failed: the entries were not stored
            return
        if not prune or not self._stale:
            return
        try:
            with db:
                # The entries this build did not use go. The keys are read from the table's
                # index, once, and compared here: an edit leaves a few unused among hundreds of
                # thousands. Those of another version of the tool (all of them, after an
                # upgrade) go at once, in one statement.
                prefix = self.version + ":"
                unused = self._unused(db.execute("SELECT kind, key FROM entries"))
                current = [(kind, stored) for kind, stored in unused if stored.startswith(prefix)]
                if len(current) < len(unused):
                    db.execute("DELETE FROM entries WHERE substr(key, 1, ?) != ?",
                               (len(prefix), prefix))
                db.executemany("DELETE FROM entries WHERE kind = ? AND key = ?", current)
            self.pending.clear()
        except sqlite3.Error:
            pass

    def _unused(self, entries: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Those of ``entries`` (kind, stored key) that commit drops: of another version of the
        tool, or not used by this build."""
        prefix, nothing = self.version + ":", frozenset[str]()
        start = len(prefix)
        return [(kind, stored) for kind, stored in entries
                if not stored.startswith(prefix)
                or stored[start:] not in self.used.get(kind, nothing)]

    def close(self) -> None:
        self._wait()
        if self._db is not None:
            if self._pid == os.getpid():
                self._db.close()
            else:
                _INHERITED.append(self._db)
        self._db = None
