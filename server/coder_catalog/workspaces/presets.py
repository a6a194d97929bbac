"""Presets of a template's active version, and how Coder merges a preset with the request's values.

``coderd/dynamicparameters/resolver.go``: "Add preset values (overwrite previous and build values if
they exist)": a preset's value wins over the value the request (the entity) gives for the same
parameter. The creation sends ``template_version_preset_id`` and the merged values, so the request
says what the workspace gets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coder_catalog.templates.model import Preset


@dataclass(frozen=True)
class Override:
    """A parameter whose entity value the preset replaces."""

    name: str
    entity_value: str
    preset_value: str

    def sentence(self, preset: str) -> str:
        return f'preset "{preset}" sets {self.name} to "{self.preset_value}" instead of "{self.entity_value}"'


def merge(params: Mapping[str, str], preset: Preset) -> tuple[dict[str, str], list[Override]]:
    """The request's values with the preset's on top (as Coder merges them), and what it overrode."""
    merged = dict(params)
    overrides = []
    for name, value in preset.parameters:
        if name in merged and merged[name] != value:
            overrides.append(Override(name, merged[name], value))
        merged[name] = value
    return merged, overrides


def find_preset(presets: Iterable[Preset], name: str) -> Preset | None:
    """By name (case-insensitive) or id."""
    wanted = name.strip().lower()
    return next((p for p in presets if wanted in (p.name.lower(), p.id.lower())), None)


def preset_yaml_lines(preset: Preset, indent: str = "") -> str:
    """The preset's values as ``params`` lines (every value quoted: the plugin wants strings)."""
    return "".join(f"{indent}{name}: {_quote(value)}\n" for name, value in preset.parameters)


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def describe(preset: Preset) -> str:
    """``Small (default): Two cores... — cpu=2, memory=2``."""
    default = " (default)" if preset.default else ""
    description = f": {preset.description}" if preset.description else ""
    values = ", ".join(f"{n}={v}" for n, v in preset.parameters)
    return f"{preset.name}{default}{description}" + (f" — {values}" if values else "")
