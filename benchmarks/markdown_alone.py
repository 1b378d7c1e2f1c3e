"""Python-Markdown alone over a corpus's bodies, on one core: a floor no build of ours goes under.

    python -m benchmarks.markdown_alone /tmp/bench/10000/ours/content

Every ``*.md`` file's body (the text after its front matter) is read first, then converted
with ``markdown.Markdown()``, the library's defaults and no extension: the least any use of it
costs (our builds add extensions, a plain text for search and related lists, and templates).
It prints the bodies converted and the seconds the conversions took. A build spread over two
cores can at best halve that time; compare.py sets it beside the peers' builds.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import markdown


def bodies(content: Path) -> list[str]:
    """The Markdown after the front matter of each ``*.md`` under ``content``, in path order."""
    texts = []
    for path in sorted(content.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if text.startswith("---\n"):
            end = text.find("\n---\n", 4)
            text = text[end + 5:] if end >= 0 else text
        texts.append(text)
    return texts


def convert(texts: list[str]) -> float:
    """Seconds of one core that converting every text took."""
    converter = markdown.Markdown()
    started = time.process_time()
    for text in texts:
        converter.reset()
        converter.convert(text)
    return time.process_time() - started


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print("usage: python -m benchmarks.markdown_alone CONTENT_FOLDER", file=sys.stderr)
        return 2
    texts = bodies(Path(args[0]))
    seconds = convert(texts)
    print(f"converted {len(texts)} bodies with Python-Markdown {markdown.__version__} "
          f"in {seconds:.2f} s of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
