"""Markdown that stays what it says: user and deployment text escaped, links limited to the web.

Values from the catalog file, names and messages are escaped (they are plain text); template and
parameter descriptions are Markdown by design (Coder renders them), so they keep their formatting
but lose raw HTML and links to anything but http(s) and mail addresses.
"""

from __future__ import annotations

import re
from urllib.parse import quote

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!&])")
_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)([.)]))")
_LINK_TARGET = re.compile(r"\]\(\s*<?(?!https?://|mailto:|#)[^)]*\)")
_AUTOLINK = re.compile(r"<(?!https?://|mailto:)([^>\s]*)>")
_WEB = re.compile(r"https?://[^\s]+")


def escape(text: str) -> str:
    """Plain text shown as is in Markdown, on one line."""
    flat = " ".join(text.split("\n"))
    escaped = _SPECIAL.sub(r"\\\1", flat)
    return _LINE_START.sub(_escape_line_start, escaped)


def _escape_line_start(match: re.Match[str]) -> str:
    """A list or heading marker at the start: ``- x`` -> ``\\- x``, ``1. x`` -> ``1\\. x``."""
    indent, bullet, number, delimiter = match.groups()
    return indent + ("\\" + bullet if bullet else f"{number}\\{delimiter}")


def code(text: str) -> str:
    """Text as an inline code span, on one line (backticks inside are kept)."""
    flat = " ".join(text.splitlines()) if text else text
    if flat == "":
        return '`""`'
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") else flat
    return f"{fence}{padded}{fence}"


def cell(markdown: str) -> str:
    """Markdown made fit for a table cell: no line breaks, ``|`` escaped (also inside code)."""
    return " ".join(markdown.split("\n")).replace("|", "\\|")


def description(text: str) -> str:
    """A template author's Markdown, without raw HTML and without links to non-web targets."""
    cleaned = _LINK_TARGET.sub("](#)", text.strip())
    cleaned = _AUTOLINK.sub(lambda m: "&lt;" + m.group(1) + "&gt;", cleaned)
    return re.sub(r"<(?!https?://|mailto:)(?=[A-Za-z/!?])", "&lt;", cleaned)


def link(label: str, url: str) -> str:
    """A Markdown link to a web address, or the address as code when it is not one."""
    if not _WEB.fullmatch(url):
        return code(url)
    target = quote(url, safe=":/?#[]@!$&'*+,;=%-._~")
    return f"[{escape(label)}](<{target}>)"
