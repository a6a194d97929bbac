"""A last line of defence for logs: secrets that reach a log line anyway are masked.

The code never logs a token on purpose; libraries may (pygls logs every message it receives or
sends at debug level, editor settings included). The language server's log handler masks:
Coder session tokens (``<10>-<22>``), OAuth2 codes and refresh tokens (``coder_<id>_<secret>``),
values of ``clientSecret``/``client_secret``/``token``-like keys, and ``Coder-Session-Token``
headers.
"""

from __future__ import annotations

import logging
import re

MASK = "********"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{10}-[A-Za-z0-9]{22}(?![A-Za-z0-9])"), MASK),
    (re.compile(r"(?<![A-Za-z0-9])coder_[A-Za-z0-9]+_[A-Za-z0-9]+"), MASK),
    (
        re.compile(
            r"""(["']?(?:clientSecret|client_secret|refresh_?[Tt]oken|access_?[Tt]oken|token)["']?\s*[:=]\s*)"""
            r"""(["'])(?:(?!\2).)*\2""",
        ),
        rf"\1\2{MASK}\2",
    ),
    (re.compile(r"(?i)(coder-session-token\s*[:=]\s*)[^\s,;'\"]+"), rf"\1{MASK}"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """For a handler: masks secrets in the message and in a logged exception's traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
