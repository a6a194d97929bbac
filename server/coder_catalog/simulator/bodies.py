"""Request bodies decoded and checked the way Coder's Go server does it.

Go's ``encoding/json`` ignores unknown fields, treats ``null`` as "not set", and rejects a
value of the wrong type with ``json: cannot unmarshal <kind> into Go struct field ...``;
then go-playground/validator checks the struct tags and Coder answers ``Validation failed.``
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from coder_catalog.simulator.data import NAME_PATTERN
from coder_catalog.simulator.errors import ApiError, invalid_json, tag_failed, validation_failed

NIL_UUID = "00000000-0000-0000-0000-000000000000"
TRANSITIONS = ("start", "stop", "delete")


@dataclass(frozen=True, slots=True)
class CreateWorkspaceRequest:
    name: str
    template_id: str = NIL_UUID
    template_version_id: str = NIL_UUID
    rich_parameter_values: tuple[tuple[str, str], ...] = ()
    template_version_preset_id: str = NIL_UUID


@dataclass(frozen=True, slots=True)
class CreateBuildRequest:
    transition: str
    template_version_id: str = NIL_UUID
    rich_parameter_values: tuple[tuple[str, str], ...] = ()
    template_version_preset_id: str = NIL_UUID


@dataclass(frozen=True, slots=True)
class EvaluateRequest:
    id: int = 0
    inputs: dict[str, str] = field(default_factory=dict)
    owner_id: str = NIL_UUID


def _kind(value: Any) -> str:
    """The JSON kind Go names in its unmarshal errors."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


class _Decoder:
    def __init__(self, body: Any, go_type: str) -> None:
        if not isinstance(body, dict):
            raise invalid_json(
                f"json: cannot unmarshal {_kind(body)} into Go value of type codersdk.{go_type}"
            )
        self.body = body
        self.go_type = go_type

    def _mismatch(self, name: str, value: Any, go_kind: str) -> ApiError:
        field_name = f"{self.go_type}.{name}"
        return invalid_json(
            f"json: cannot unmarshal {_kind(value)} into Go struct field {field_name} of type {go_kind}"
        )

    def string(self, name: str) -> str:
        value = self.body.get(name)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._mismatch(name, value, "string")
        return value

    def integer(self, name: str) -> int:
        value = self.body.get(name)
        if value is None:
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._mismatch(name, value, "int")
        return value

    def uuid(self, name: str) -> str:
        value = self.body.get(name)
        if value is None:
            return NIL_UUID
        if not isinstance(value, str):
            raise self._mismatch(name, value, "uuid.UUID")
        try:
            return str(uuid.UUID(value))
        except ValueError:
            if len(value) in (32, 36, 38, 45):
                raise invalid_json("invalid UUID format") from None
            raise invalid_json(f"invalid UUID length: {len(value)}") from None

    def string_map(self, name: str) -> dict[str, str]:
        value = self.body.get(name)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._mismatch(name, value, "map[string]string")
        for item in value.values():
            if not isinstance(item, str):
                raise self._mismatch(name, item, "string")
        return dict(value)

    def build_parameters(self, name: str) -> tuple[tuple[str, str], ...]:
        value = self.body.get(name)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self._mismatch(name, value, "[]codersdk.WorkspaceBuildParameter")
        pairs = []
        for item in value:
            if not isinstance(item, dict):
                raise self._mismatch(name, item, "codersdk.WorkspaceBuildParameter")
            entry = _Decoder(item, f"{self.go_type}.{name}")
            pairs.append((entry.string("name"), entry.string("value")))
        return tuple(pairs)


def name_problem(name: str) -> str | None:
    """Coder's ``NameValid``: why a workspace or template name is refused, or None."""
    if len(name) > 32:
        return "must be <= 32 characters"
    if len(name) < 1:
        return "must be >= 1 character"
    if name in ("new", "create"):
        return f'cannot use "{name}" as a name'
    if not NAME_PATTERN.match(name):
        return "must be alphanumeric with hyphens"
    return None


def decode_create_workspace(body: Any) -> CreateWorkspaceRequest:
    decoder = _Decoder(body, "CreateWorkspaceRequest")
    request = CreateWorkspaceRequest(
        template_id=decoder.uuid("template_id"),
        template_version_id=decoder.uuid("template_version_id"),
        name=decoder.string("name"),
        rich_parameter_values=decoder.build_parameters("rich_parameter_values"),
        template_version_preset_id=decoder.uuid("template_version_preset_id"),
    )
    problems = []
    for own, other in (("template_id", "template_version_id"), ("template_version_id", "template_id")):
        mine, theirs = getattr(request, own), getattr(request, other)
        if mine == NIL_UUID and theirs == NIL_UUID:
            problems.append(tag_failed(own, "required_without", mine))
        elif mine != NIL_UUID and theirs != NIL_UUID:
            problems.append(tag_failed(own, "excluded_with", mine))
    if name_problem(request.name) is not None:
        problems.append(tag_failed("name", "workspace_name", request.name))
    if problems:
        raise validation_failed(*problems)
    return request


def decode_create_build(body: Any) -> CreateBuildRequest:
    decoder = _Decoder(body, "CreateWorkspaceBuildRequest")
    request = CreateBuildRequest(
        transition=decoder.string("transition"),
        template_version_id=decoder.uuid("template_version_id"),
        rich_parameter_values=decoder.build_parameters("rich_parameter_values"),
        template_version_preset_id=decoder.uuid("template_version_preset_id"),
    )
    if request.transition not in TRANSITIONS:
        raise validation_failed(tag_failed("transition", "oneof", request.transition))
    return request


def decode_evaluate(body: Any) -> EvaluateRequest:
    decoder = _Decoder(body, "DynamicParametersRequest")
    return EvaluateRequest(
        id=decoder.integer("id"),
        inputs=decoder.string_map("inputs"),
        owner_id=decoder.uuid("owner_id"),
    )
