"""The front matter most articles have, read without the YAML parser.

Lines of ``key: value``, and keys holding a block list of items, whose values are quoted text,
plain text or whole numbers, or flow lists of them, are read here several times faster than by
the YAML loader; empty lines between them are skipped. Anything else (comments, escapes, other
kinds of values, nesting, a key given twice) gives None, and the loader reads the front matter
instead, with its messages. What is read here is what the loader gives, the C one (libyaml) and
the pure-Python one alike: tests/test_metadata.py checks it against both on generated input.
"""

from __future__ import annotations

import re
from typing import Any

# A YAML loader's implicit resolvers: first character (None: any) -> (tag, pattern) in order.
Resolvers = dict[Any, list[tuple[str, "re.Pattern[str]"]]]
Read = tuple[dict[str, Any], dict[str, int]]

_KEY = re.compile(r"([a-z_][a-z0-9_]{0,1023}):(?: (.*))?\Z")  # YAML: a key of 1024 at most
_ITEM = re.compile(r"( *)- (.*)\Z")
_INT = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")
_STR, _INT_TAG = "tag:yaml.org,2002:str", "tag:yaml.org,2002:int"
_NOT_KEYS = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW = frozenset(",[]{}?")  # the pure-Python loader also ends a flow scalar at "?"


def read(front: str, first_line: int, resolvers: Resolvers) -> Read | None:
    """The mapping and each key's line (counted from ``first_line``), or None: the loader's."""
    lines = front.split("\n")
    if lines and not lines[-1]:
        lines.pop()
    data: dict[str, Any] = {}
    where: dict[str, int] = {}
    number = 0
    while number < len(lines):
        line = lines[number]
        if not line:  # between entries, an empty line is nothing
            number += 1
            continue
        found = _KEY.match(line)
        if found is None or not line.isprintable():
            return None
        key, text = found.group(1), found.group(2)
        if key in data or key in _NOT_KEYS:
            return None
        where[key] = first_line + number
        if text is None:  # the items of a block list follow
            items: list[Any] = []
            indent = None
            while number + 1 < len(lines) and (item := _ITEM.match(lines[number + 1])):
                if indent is None:
                    indent = item.group(1)
                value = _scalar(item.group(2), resolvers, False)
                if item.group(1) != indent or value is None or not lines[number + 1].isprintable():
                    return None
                items.append(value[0])
                number += 1
            if not items:
                return None
            data[key] = items
        else:
            value = _list(text, resolvers) if text.startswith("[") else \
                _scalar(text, resolvers, False)
            if value is None:
                return None
            data[key] = value[0]
        number += 1
    return (data, where) if data else None


def _list(text: str, resolvers: Resolvers) -> tuple[list[Any]] | None:
    if not text.endswith("]"):
        return None
    inner = text[1:-1]
    if not inner.strip():
        return ([],)
    items = []
    for part in inner.split(","):  # a quoted item holding a comma comes apart and is refused
        value = _scalar(part.strip(" "), resolvers, True)
        if value is None:
            return None
        items.append(value[0])
    return (items,)


def _scalar(text: str, resolvers: Resolvers, flow: bool) -> tuple[Any] | None:
    if not text:
        return None
    if len(text) >= 2 and text[0] == text[-1] == '"' and '"' not in text[1:-1] \
            and "\\" not in text:
        return (text[1:-1],)
    if len(text) >= 2 and text[0] == text[-1] == "'" and "'" not in text[1:-1]:
        return (text[1:-1],)
    # Plain text: ": " or a final ":" would be a key, " #" a comment; in a flow list the flow
    # indicators end it. Those and a few more are left to the loader.
    if text[0] in _INDICATORS or text != text.strip() or ": " in text or text[-1] == ":" \
            or "#" in text or (flow and (":" in text or not _FLOW.isdisjoint(text))):
        return None
    tag = _STR
    for tag_, pattern in resolvers.get(text[0], []) + resolvers.get(None, []):
        if pattern.match(text):
            tag = tag_
            break
    if tag == _STR:
        return (text,)
    if tag == _INT_TAG and _INT.match(text):
        return (int(text),)
    return None
