"""Bodies of plain prose: paragraphs of text without Markdown syntax, rendered without the parser.

Most news articles are paragraphs of words and nothing else. For such a body Python-Markdown, the
sanitiser and the summary all give a known result, ``<p>`` around each paragraph, and running them
costs most of a cold build. ``paragraphs`` recognises a body that is plain prose by refusing every
character and line start that any Markdown syntax of the build (the ``extra`` extensions included)
needs; anything it refuses goes through the full renderer. tests/test_prose.py checks, on random
bodies, that whatever it accepts renders exactly as the full renderer renders it.
"""

from __future__ import annotations

import re

# Characters an inline pattern, a block syntax of 'extra' (tables, fenced code, attribute lists,
# abbreviations, footnotes, raw HTML) or the sanitiser's escaping reacts to, wherever they are;
# control characters, the no-break space (the sanitiser writes it as &nbsp;) and every space but
# ' ' and newline too, so that below a space is ' '.
_SPECIAL = re.compile("[`\\\\\\[\\]<>&*_{}|~\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u1680\u2000-\u200a"
                      "\u2028\u2029\u202f\u205f\u3000\ufeff]")
# Line starts that open a block: headings, quotes, lists, rules, setext underlines, definitions,
# indented code (a space at the end of a line, a hard break, is looked for apart).
_BLOCK = re.compile(r"\n(?:[#>=:+ -]|\d+[.)])")


def paragraphs(body: str) -> list[str] | None:
    """The paragraphs of a plain-prose body, each as written; None when the body needs Markdown.

    >>> paragraphs("Công an tỉnh họp.\\nHôm nay.\\n\\n\\nTrời mưa.\\n")
    ['Công an tỉnh họp.\\nHôm nay.', 'Trời mưa.']
    >>> paragraphs("Công an *tỉnh* họp.") is None
    True
    """
    if _SPECIAL.search(body) is not None or _BLOCK.search("\n" + body) is not None \
            or " \n" in body or body.endswith(" "):
        return None
    found = [block.strip("\n") for block in body.split("\n\n")]
    return [block for block in found if block]


def spaced(text: str) -> str:
    """``" ".join(text.split())`` for text that ``paragraphs`` accepted, three times as fast.

    Such text has no whitespace but spaces and newlines (``_SPECIAL`` refuses the rest), so runs
    of those two are all that ``split`` would break it at.

    >>> spaced("\\nCông an  tỉnh\\n\\n\\nhọp.\\n")
    'Công an tỉnh họp.'
    """
    text = text.replace("\n", " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text.strip(" ")


def html(found: list[str]) -> str:
    """The HTML Python-Markdown writes for these paragraphs.

    >>> html(['Một.', 'Hai\\nba.'])
    '<p>Một.</p>\\n<p>Hai\\nba.</p>'
    """
    return "\n".join(f"<p>{paragraph}</p>" for paragraph in found)
