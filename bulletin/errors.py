"""Problems that carry their place: one SourceError per problem, collected over a whole run."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .frozen import compact


@compact
@dataclass(frozen=True, slots=True)
class SourceError:
    """One problem in one input file, printed as ``path:line: message`` and a hint."""

    path: str
    line: int | None
    message: str
    hint: str = ""
    warning: bool = False

    def format(self) -> str:
        """``path:line: message`` on one line, then the hint. Control characters quoted from a
        file (a tag holding U+0085, an escape sequence) are shown escaped: they would break the
        line or drive the terminal.

        >>> print(SourceError("a.md", 3, "bad tag 'x\\x85y'", "Retype it.").format())
        a.md:3: bad tag 'x\\x85y'
            hint: Retype it.
        """
        place = f"{self.path}:{self.line}" if self.line else self.path
        kind = "warning: " if self.warning else ""
        text = _visible(f"{place}: {kind}{self.message}")
        if self.hint:
            text += "\n    hint: " + "\n          ".join(_visible(line)
                                                       for line in self.hint.split("\n"))
        return text

    def sort_key(self) -> tuple[str, int, str]:
        return (self.path, self.line or 0, self.message)


_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _visible(text: str) -> str:
    """Control characters and line separators written as escapes."""
    return _INVISIBLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


class SourceProblem(Exception):
    """A content error met while a page renders (a body that had to be rendered again from a
    file that changed meanwhile): the page's error, not its template's."""

    def __init__(self, error: SourceError) -> None:
        super().__init__(error.message)
        self.error = error


class BuildFailed(Exception):
    """Raised once a stage has found content errors; carries all of them."""

    def __init__(self, errors: tuple[SourceError, ...]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


class UsageError(Exception):
    """A problem with how the tool was called (bad option, refused output folder): exit 2."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def display_path(path: Path) -> str:
    """A path as an editor would type it: relative to the working folder when inside it.

    >>> display_path(Path.cwd() / "content" / "a.md")
    'content/a.md'
    """
    here = Path.cwd()
    for candidate, base in ((Path(os.path.abspath(path)), here), (path.resolve(), here.resolve())):
        try:  # symlinks kept first: a linked file is shown where the editor sees it
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


SAVE_AS_UTF8 = "Save the file with UTF-8 encoding (in VS Code: “Save with Encoding” → UTF-8)."


def not_utf8(shown: str, raw: bytes, exc: UnicodeDecodeError, hint: str = "") -> SourceError:
    """The error for a file whose bytes ``raw`` are not UTF-8 (``exc``: their decoding's error),
    at the line of the first bad byte.

    >>> raw = "Tin 1\\n".encode() + "Tin Đà".encode("cp1258")
    >>> try:
    ...     raw.decode("utf-8")
    ... except UnicodeDecodeError as exc:
    ...     print(not_utf8("a.html", raw, exc).format())
    a.html:2: not valid UTF-8: byte 0xd0 at byte offset 10
        hint: Save the file with UTF-8 encoding (in VS Code: “Save with Encoding” → UTF-8).
    """
    return SourceError(shown, raw.count(b"\n", 0, exc.start) + 1,
                       f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at byte offset {exc.start}",
                       SAVE_AS_UTF8 + hint)

