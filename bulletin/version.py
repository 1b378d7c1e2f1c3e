"""The engine's version as a hash of its own source: one version never reads what another stored."""

from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def code_version() -> str:
    """A hash of the engine's own source, and of the version of Babel, whose data names months
    and days on pages: a new version of either never reads an old entry, nor keeps old pages."""
    hasher = hashlib.blake2b(digest_size=8)
    for path in sorted(_PACKAGE.glob("*.py")):
        hasher.update(path.name.encode() + path.read_bytes())
    babel = importlib.util.find_spec("babel")  # found, not imported: its __init__ names its version
    if babel is not None and babel.origin:
        hasher.update(b"babel\0" + Path(babel.origin).read_bytes())
    return hasher.hexdigest()
