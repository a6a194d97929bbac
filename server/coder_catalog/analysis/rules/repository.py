"""Rules: repository."""

from __future__ import annotations
