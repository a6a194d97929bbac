"""Rules: envelope."""

from __future__ import annotations
