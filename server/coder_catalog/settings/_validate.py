"""Check settings data against the published JSON Schema and turn failures into clear messages."""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..schemas import load_schema
from ._yaml import JsonPath, LoadedYAML, Span
from .errors import SettingsError
from .model import AccessURLError, normalize_access_url

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = [
    "SCHEMA_NAME",
    "describe_path",
    "project_keys",
    "project_validator",
    "show_value",
    "validate_settings_data",
]

SCHEMA_NAME = "coder-catalog.schema.json"
ACCESS_URL_PATH: JsonPath = ("deployment", "accessUrl")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_RULE_CODE = re.compile(r"^[A-Z]+[0-9]+$")  # the schema's propertyNames pattern for rules
_SEVERITIES = ("error", "warning", "info", "off")  # its values (others are reported by the schema)

# Keys people copy from elsewhere: the catalog's spec.coder keys and the app's coder: wrapper.
_ALIASES: dict[JsonPath, dict[str, str]] = {
    ("workspaces",): {"templatename": "defaultTemplateName", "mode": "defaultMode"},
    (): {"templatesnapshot": "templates", "snapshot": "templates", "cabundle": "tls.caBundle"},
}


@functools.lru_cache(maxsize=1)
def project_validator() -> Draft202012Validator:
    """A validator for ``.coder-catalog.yaml`` data (and editor/CLI overrides).

    jsonschema is imported here, on the first validation of data that is not empty: start-up
    without a settings file does without it (issue 18)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema(SCHEMA_NAME))


def project_keys() -> tuple[str, ...]:
    """The top-level keys of ``.coder-catalog.yaml`` (and of the editor's ``coderCatalog`` section)."""
    return tuple(load_schema(SCHEMA_NAME)["properties"])


def describe_path(path: Iterable[str | int]) -> str:
    """``("workspaces", "params", "cpu")`` -> ``workspaces.params.cpu``; odd keys are quoted."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER.match(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


def show_value(value: Any) -> str:
    """A value as the user would write it in JSON/YAML."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return json.dumps(value)
    return _kind(value)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


_TYPE_NAMES = {"string": "a string", "object": "a mapping", "array": "a list", "number": "a number"}


def _one_of(options: list[Any]) -> str:
    shown = [show_value(option) for option in options]
    if len(shown) == 1:
        return shown[0]
    if len(shown) == 2:
        return f"{shown[0]} or {shown[1]}"
    return "one of " + ", ".join(shown[:-1]) + f" or {shown[-1]}"


def _close(word: str, options: Iterable[str]) -> str | None:
    by_lower = {option.lower(): option for option in options}
    lowered = word.lower()
    if lowered in by_lower:
        return by_lower[lowered]
    match = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=0.6)
    return by_lower[match[0]] if match else None


class _Collector:
    def __init__(self, *, file: str, loaded: LoadedYAML | None, root_name: str, source: str) -> None:
        self.file = file
        self.loaded = loaded
        self.root_name = root_name
        self.source = source
        self.all_properties = self._schema_paths(project_validator().schema, ())

    @classmethod
    def _schema_paths(cls, schema: dict[str, Any], prefix: JsonPath) -> list[JsonPath]:
        found: list[JsonPath] = []
        for name, sub in schema.get("properties", {}).items():
            found.append((*prefix, name))
            if isinstance(sub, dict):
                found.extend(cls._schema_paths(sub, (*prefix, name)))
        return found

    def name(self, path: JsonPath) -> str:
        return describe_path(path) if path else self.root_name

    def error(self, message: str, path: JsonPath, *, at_key: bool = False) -> SettingsError:
        span: Span | None = None
        if self.loaded is not None:
            span = self.loaded.key_span(path) if at_key else self.loaded.value_span(path)
        return SettingsError(
            message,
            path=self.file,
            line=span.line if span else None,
            column=span.column if span else None,
            end_line=span.end_line if span else None,
            end_column=span.end_column if span else None,
            key=describe_path(path) or None,
            source=self.source,
        )

    def raw(self, path: JsonPath, value: Any) -> str:
        if self.loaded is not None and path in self.loaded.raw:
            return self.loaded.raw[path]
        return value if isinstance(value, str) else json.dumps(value)

    # -- one message per kind of schema failure ------------------------------------------------

    def convert(self, error: ValidationError) -> Iterator[SettingsError]:
        path: JsonPath = tuple(error.absolute_path)
        keyword = error.validator
        if "propertyNames" in error.relative_schema_path:
            yield self.property_name(error, path)
        elif keyword == "additionalProperties" and error.validator_value is False:
            yield from self.unknown_keys(error, path)
        elif keyword == "type":
            yield self.wrong_type(error, path)
        elif keyword == "enum":
            yield self.not_in_enum(error, path)
        elif keyword == "minLength":
            yield self.error(f"{self.name(path)} must not be empty", path)
        elif keyword == "minItems":
            yield self.error(f"{self.name(path)} must list at least one name", path)
        elif keyword == "uniqueItems":
            yield self.duplicate_item(error, path)
        elif keyword == "pattern" and path == ACCESS_URL_PATH:
            return  # checked with normalize_access_url, which says what is wrong
        else:
            yield self.error(f"{self.name(path)}: {error.message}", path)

    def property_name(self, error: ValidationError, path: JsonPath) -> SettingsError:
        key = str(error.instance)
        where = self.name(path)
        if path == ("rules",):
            message = f'rule code "{key}" in rules must be capital letters followed by digits, like CC101'
            if re.match(r"^[A-Z]+[0-9]+$", key.upper().replace("-", "").replace("_", "")):
                message += f' (did you mean "{key.upper().replace("-", "").replace("_", "")}"?)'
            return self.error(message, (*path, key), at_key=True)
        if key == "":
            return self.error(f"{where} has an empty name", (*path, key), at_key=True)
        return self.error(
            f'name "{key}" in {where} is not allowed: {error.message}', (*path, key), at_key=True
        )

    def unknown_keys(self, error: ValidationError, path: JsonPath) -> Iterator[SettingsError]:
        allowed = list(error.schema.get("properties", {}))
        instance = error.instance if isinstance(error.instance, dict) else {}
        where = f"in {self.name(path)}" if path else "at the top level"
        for key in instance:
            if key in allowed:
                continue
            message = f'unknown key "{key}" {where}'
            hint = self.suggest(key, path, allowed)
            if hint:
                message += f" ({hint})"
            elif allowed:
                message += " (known keys: " + ", ".join(allowed) + ")"
            yield self.error(message, (*path, key), at_key=True)

    def suggest(self, key: str, path: JsonPath, allowed: list[str]) -> str | None:
        lowered = key.lower()
        alias = _ALIASES.get(path, {}).get(lowered)
        if alias:
            return f'did you mean "{alias}"?'
        parts = tuple(key.split("."))
        if len(parts) > 1 and (*path, *parts) in self.all_properties:
            nested = "".join(f"{{{json.dumps(part)}: " for part in parts) + "..." + "}" * len(parts)
            return f"write it nested: {nested}"
        if path == () and lowered == "coder":
            return 'write the keys of the app\'s "coder" object (deployment, workspaces) at the top level'
        close = _close(key, allowed)
        if close:
            return f'did you mean "{close}"?'
        for option in allowed:
            if option.lower().endswith(lowered) and len(lowered) >= 3:
                return f'did you mean "{option}"?'
        for other in self.all_properties:
            if str(other[-1]).lower() == lowered and other[:-1] != path:
                return f'did you mean "{describe_path(other)}"?'
        return None

    def wrong_type(self, error: ValidationError, path: JsonPath) -> SettingsError:
        expected = error.validator_value
        expected_name = _TYPE_NAMES.get(expected, str(expected)) if isinstance(expected, str) else "valid"
        value = error.instance
        name = self.name(path)
        if expected == "string" and value is None:
            return self.error(f"{name} must be a string, not null", path)
        if expected == "string" and isinstance(value, (bool, int, float)):
            raw = self.raw(path, value)
            return self.error(f"{name} must be a string (quote it: {json.dumps(raw)})", path)
        message = f"{name} must be {expected_name}, not {_kind(value)}"
        if expected == "array" and isinstance(value, str):
            message += f" (write [{json.dumps(value)}])"
        return self.error(message, path)

    def not_in_enum(self, error: ValidationError, path: JsonPath) -> SettingsError:
        options = list(error.validator_value)
        message = f"{self.name(path)} must be {_one_of(options)}, not {show_value(error.instance)}"
        if isinstance(error.instance, str):
            close = _close(error.instance, [str(option) for option in options])
            if close and close.lower() != error.instance.lower():
                message += f' (did you mean "{close}"?)'
        return self.error(message, path)

    def duplicate_item(self, error: ValidationError, path: JsonPath) -> SettingsError:
        items = error.instance if isinstance(error.instance, list) else []
        for index, item in enumerate(items):
            if item in items[:index]:
                return self.error(f"{self.name(path)} lists {show_value(item)} twice", (*path, index))
        return self.error(f"{self.name(path)} has duplicate items", path)  # pragma: no cover


# A failure of these keywords explains the problem best; drop the others at the same spot.
_PRIORITY = {"enum": 0, "type": 1}


def validate_settings_data(
    data: Any,
    *,
    file: str,
    loaded: LoadedYAML | None = None,
    root_name: str = "the settings",
    source: str = "project-file",
) -> list[SettingsError]:
    """Every problem in project-file shaped ``data``, in document order (empty when valid).

    ``loaded`` gives positions (a parsed file); without it errors have no line/column.
    """
    if isinstance(data, dict) and not data:
        return []  # the schema requires no key (tests/settings check it): no need for jsonschema
    collector = _Collector(file=file, loaded=loaded, root_name=root_name, source=source)
    best: dict[tuple[Any, ...], tuple[int, SettingsError]] = {}
    for schema_error in project_validator().iter_errors(data):
        rank = _PRIORITY.get(str(schema_error.validator), 9)
        for error in collector.convert(schema_error):
            where = (error.key, error.line, error.column, error.message if rank == 9 else "")
            if where not in best or rank < best[where][0]:
                best[where] = (rank, error)
    errors = [error for _, error in best.values()]
    access_url = data.get("deployment") if isinstance(data, dict) else None
    access_url = access_url.get("accessUrl") if isinstance(access_url, dict) else None
    if isinstance(access_url, str) and access_url:
        try:
            normalize_access_url(access_url)
        except AccessURLError as url_error:
            errors.append(collector.error(url_error.for_key(describe_path(ACCESS_URL_PATH)), ACCESS_URL_PATH))
    errors.extend(_rule_setting_errors(data, collector))
    errors.sort(key=lambda e: (e.line or 0, e.column or 0, e.key or "", e.message))
    return errors


def _rule_setting_errors(data: Any, collector: _Collector) -> Iterator[SettingsError]:
    """Codes the schema admits but no rule has (``CC999``), and refusals turned off."""
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        return
    from coder_catalog.analysis.rules import rule_setting_problem  # the registry imports settings

    for code, severity in rules.items():
        if isinstance(code, str) and _RULE_CODE.match(code) and severity in _SEVERITIES:
            problem = rule_setting_problem(code, severity)
            if problem is not None:
                yield collector.error(f"rules: {problem}", ("rules", code), at_key=True)
