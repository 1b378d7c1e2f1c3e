"""Test helpers for runs of build.py in a process of its own: with an environment that shows an
internal error's traceback, and with a folder made read-only even for root."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import PROJECT


def command(*args: str) -> list[str]:
    return [sys.executable, str(PROJECT / "build.py"), *args]


def env() -> dict[str, str]:
    # the traceback of an internal error, for whoever reads a failure
    return {**os.environ, "PYTHONPATH": str(PROJECT), "NO_COLOR": "1", "BULLETIN_TRACEBACK": "1"}


def can_bind_mount() -> bool:
    """Whether this process may make mount namespaces (root, with unshare installed)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount --bind / /mnt 2>/dev/null || "
                            "mount --bind /tmp /tmp"], capture_output=True)
    return probe.returncode == 0


def run_with_read_only(folder: Path, args: list[str],
                       cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run build.py with ``folder`` read-only: a read-only bind mount of it as root (chmod does
    not stop root), chmod a-w otherwise."""
    if os.geteuid() != 0:
        paths = [folder, *folder.rglob("*")]
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(modes[p] & ~0o222)
        try:
            return subprocess.run(command(*args), cwd=cwd, env=env(), capture_output=True,
                                  text=True)
        finally:
            for p in paths:
                p.chmod(modes[p])
    if not can_bind_mount():
        pytest.skip("running as root without mount namespaces: cannot make a folder read-only")
    script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(folder),
                           *command(*args)], cwd=cwd, env=env(), capture_output=True, text=True)


def run_with_output_mounted(output: Path, args: list[str],
                            cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run build.py with ``output`` a mount point of its own (bind-mounted on itself), as a
    Docker volume or an NFS share is: a rename across it fails with EXDEV."""
    if os.geteuid() != 0 or not can_bind_mount():
        pytest.skip("needs a mount namespace (root) to mount output/ on itself")
    script = 'mount --bind "$1" "$1" && shift && exec "$@"'
    return subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(output),
                           *command(*args)], cwd=cwd, env=env(), capture_output=True, text=True)
