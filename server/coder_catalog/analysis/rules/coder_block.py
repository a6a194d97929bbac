"""Rules: coder_block."""

from __future__ import annotations
