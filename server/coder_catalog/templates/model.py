"""Typed views of Coder's template, parameter and preset objects.

Each class reads the JSON Coder's API returns (``from_api``) and writes the subset the
project keeps (``to_dict``), which is also the snapshot format. Unknown API fields are
ignored, missing ones get Coder's zero values, so a newer or older server never breaks us.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

PARAMETER_TYPES = ("string", "number", "bool", "list(string)")


def _str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    return value if isinstance(value, str) else default


def _opt_str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value != "" else None


def _bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    return value if isinstance(value, bool) else default


def _opt_int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


@dataclass(frozen=True, slots=True)
class ParameterOption:
    name: str
    value: str
    description: str = ""
    icon: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> ParameterOption:
        return cls(
            name=_str(data, "name"),
            value=_str(data, "value"),
            description=_str(data, "description"),
            icon=_str(data, "icon"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "description": self.description, "icon": self.icon}


@dataclass(frozen=True, slots=True)
class TemplateParameter:
    """One rich parameter of a template version, as Coder describes it."""

    name: str
    type: str = "string"
    display_name: str = ""
    description: str = ""
    description_plaintext: str = ""
    form_type: str = ""
    default_value: str = ""
    required: bool = False
    mutable: bool = True
    ephemeral: bool = False
    icon: str = ""
    options: tuple[ParameterOption, ...] = ()
    validation_regex: str | None = None
    validation_error: str | None = None
    # Absent means no bound; 0 is a real bound.
    validation_min: int | None = None
    validation_max: int | None = None
    validation_monotonic: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TemplateParameter:
        options = data.get("options")
        return cls(
            name=_str(data, "name"),
            type=_str(data, "type", "string") or "string",
            display_name=_str(data, "display_name"),
            description=_str(data, "description"),
            description_plaintext=_str(data, "description_plaintext"),
            form_type=_str(data, "form_type"),
            default_value=_str(data, "default_value"),
            required=_bool(data, "required"),
            mutable=_bool(data, "mutable", True),
            ephemeral=_bool(data, "ephemeral"),
            icon=_str(data, "icon"),
            options=tuple(
                ParameterOption.from_api(o)
                for o in (options if isinstance(options, list) else [])
                if isinstance(o, Mapping)
            ),
            validation_regex=_opt_str(data, "validation_regex"),
            validation_error=_opt_str(data, "validation_error"),
            validation_min=_opt_int(data, "validation_min"),
            validation_max=_opt_int(data, "validation_max"),
            validation_monotonic=_opt_str(data, "validation_monotonic"),
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "display_name": self.display_name,
            "description": self.description,
            "type": self.type,
            "form_type": self.form_type,
            "default_value": self.default_value,
            "required": self.required,
            "mutable": self.mutable,
            "ephemeral": self.ephemeral,
            "icon": self.icon,
            "options": [o.to_dict() for o in self.options],
        }
        if self.description_plaintext:
            out["description_plaintext"] = self.description_plaintext
        for key in (
            "validation_regex",
            "validation_error",
            "validation_min",
            "validation_max",
            "validation_monotonic",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def option_values(self) -> tuple[str, ...]:
        return tuple(o.value for o in self.options)

    @property
    def is_multi_select(self) -> bool:
        return self.type == "list(string)" and self.form_type == "multi-select"


@dataclass(frozen=True, slots=True)
class Preset:
    id: str
    name: str
    parameters: tuple[tuple[str, str], ...] = ()
    description: str = ""
    default: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Preset:
        params = data.get("parameters")
        pairs = []
        for p in params if isinstance(params, list) else []:
            if isinstance(p, Mapping):
                pairs.append((_str(p, "name"), _str(p, "value")))
        return cls(
            id=_str(data, "id"),
            name=_str(data, "name"),
            parameters=tuple(pairs),
            description=_str(data, "description"),
            default=_bool(data, "default"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "default": self.default,
            "parameters": [{"name": n, "value": v} for n, v in self.parameters],
        }


@dataclass(frozen=True, slots=True)
class Template:
    """A template with, once loaded, its active version's parameters and presets."""

    id: str
    name: str
    display_name: str = ""
    description: str = ""
    icon: str = ""
    organization_id: str = ""
    organization_name: str = ""
    active_version_id: str = ""
    active_user_count: int | None = None
    deprecated: bool = False
    deprecation_message: str = ""
    use_classic_parameter_flow: bool = True
    updated_at: str = ""
    # None: not loaded yet (the client loads them on demand), () : the template has none.
    parameters: tuple[TemplateParameter, ...] | None = None
    presets: tuple[Preset, ...] | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Template:
        count = _opt_int(data, "active_user_count")
        return cls(
            id=_str(data, "id"),
            name=_str(data, "name"),
            display_name=_str(data, "display_name"),
            description=_str(data, "description"),
            icon=_str(data, "icon"),
            organization_id=_str(data, "organization_id"),
            organization_name=_str(data, "organization_name"),
            active_version_id=_str(data, "active_version_id"),
            active_user_count=count if count is not None and count >= 0 else None,
            deprecated=_bool(data, "deprecated"),
            deprecation_message=_str(data, "deprecation_message"),
            use_classic_parameter_flow=_bool(data, "use_classic_parameter_flow", True),
            updated_at=_str(data, "updated_at"),
            parameters=_parse_list(data.get("parameters"), TemplateParameter.from_api),
            presets=_parse_list(data.get("presets"), Preset.from_api),
        )

    def to_dict(self) -> dict[str, Any]:
        """The snapshot form: stable fields only (no live counters)."""
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "description": self.description,
            "icon": self.icon,
            "organization_id": self.organization_id,
            "organization_name": self.organization_name,
            "active_version_id": self.active_version_id,
            "deprecated": self.deprecated,
            "deprecation_message": self.deprecation_message,
            "use_classic_parameter_flow": self.use_classic_parameter_flow,
            "updated_at": self.updated_at,
        }
        if self.parameters is not None:
            out["parameters"] = [p.to_dict() for p in self.parameters]
        if self.presets is not None:
            out["presets"] = [p.to_dict() for p in self.presets]
        return out

    def with_details(
        self,
        parameters: Iterable[TemplateParameter] | None = None,
        presets: Iterable[Preset] | None = None,
    ) -> Template:
        return replace(
            self,
            parameters=tuple(parameters) if parameters is not None else self.parameters,
            presets=tuple(presets) if presets is not None else self.presets,
        )

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def uses_dynamic_parameters(self) -> bool:
        return not self.use_classic_parameter_flow

    def parameter(self, name: str) -> TemplateParameter | None:
        for p in self.parameters or ():
            if p.name == name:
                return p
        return None


def _parse_list(value: Any, parse: Any) -> tuple[Any, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(parse(v) for v in value if isinstance(v, Mapping))


@dataclass(frozen=True)
class TemplateCatalog:
    """What a deployment (or a snapshot of one) offers: every template, deprecated ones too."""

    templates: tuple[Template, ...]
    server_version: str = ""
    deployment_url: str = ""
    # Template name -> why its parameters could not be loaded (e.g. its version is still importing).
    unavailable: Mapping[str, str] = field(default_factory=dict)
    _by_folded_name: Mapping[str, tuple[Template, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        index: dict[str, list[Template]] = {}
        for t in self.templates:
            index.setdefault(t.name.casefold(), []).append(t)
        object.__setattr__(self, "_by_folded_name", {k: tuple(v) for k, v in index.items()})

    def find(self, name: str, organization: str | None = None) -> Template | None:
        """Coder's lookup: case-insensitive; an exact-case match is preferred."""
        candidates = self._by_folded_name.get(name.casefold(), ())
        if organization is not None:
            candidates = tuple(
                t for t in candidates if organization in (t.organization_name, t.organization_id)
            )
        for t in candidates:
            if t.name == name:
                return t
        return candidates[0] if candidates else None

    def names(self, include_deprecated: bool = True) -> list[str]:
        return sorted({t.name for t in self.templates if include_deprecated or not t.deprecated})

    def successor_of(self, template: Template) -> Template | None:
        """The template a deprecated one's message sends users to ("Use **docker** instead"): the one
        active template of this catalog the message names (as a whole word, any case); None when it
        names none or several."""
        message = template.deprecation_message.casefold()
        if not template.deprecated or not message:
            return None
        named = {
            t.name.casefold(): t
            for t in self.templates
            if not t.deprecated
            and t.name.casefold() != template.name.casefold()
            and re.search(rf"(?<![\w-]){re.escape(t.name.casefold())}(?![\w-])", message)
        }
        return next(iter(named.values())) if len(named) == 1 else None

    def with_templates(
        self, templates: Iterable[Template], unavailable: Mapping[str, str] | None = None
    ) -> TemplateCatalog:
        """A copy where the given templates replace those with the same id."""
        updated = {t.id: t for t in templates}
        merged = tuple(updated.get(t.id, t) for t in self.templates)
        problems = dict(self.unavailable)
        problems.update(unavailable or {})
        return TemplateCatalog(merged, self.server_version, self.deployment_url, problems)


@dataclass(frozen=True, slots=True)
class ParameterDiagnostic:
    parameter: str  # "" for a diagnostic about the whole form
    severity: str  # error | warning
    summary: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class DynamicEvaluation:
    """The answer of ``dynamic-parameters/evaluate``: which parameters exist for these inputs."""

    parameter_names: tuple[str, ...]
    diagnostics: tuple[ParameterDiagnostic, ...]

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> DynamicEvaluation:
        names: list[str] = []
        diagnostics: list[ParameterDiagnostic] = []
        for d in data.get("diagnostics") or []:
            if isinstance(d, Mapping):
                diagnostics.append(
                    ParameterDiagnostic("", _str(d, "severity"), _str(d, "summary"), _str(d, "detail"))
                )
        for p in data.get("parameters") or []:
            if not isinstance(p, Mapping):
                continue
            name = _str(p, "name")
            names.append(name)
            for d in p.get("diagnostics") or []:
                if isinstance(d, Mapping):
                    diagnostics.append(
                        ParameterDiagnostic(name, _str(d, "severity"), _str(d, "summary"), _str(d, "detail"))
                    )
        return cls(tuple(names), tuple(diagnostics))
