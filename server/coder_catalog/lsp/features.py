"""Completion, hover, code actions, document symbols and links (filled in by the editor features)."""

from __future__ import annotations

from typing import Any


def register(server: Any) -> None:
    """Register the feature handlers on ``server``."""
