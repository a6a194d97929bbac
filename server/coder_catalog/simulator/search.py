"""Coder's search-query language (``q=``) for workspaces and templates, parsed as Coder does.

Faithful to ``coderd/searchquery``: the whole query is lower-cased; it is split on spaces
outside double quotes; terms without a ``key:`` are joined back with spaces and given to a
default key; ``key:value`` splits on ``:`` outside quotes (quotes are then dropped); list
keys (``param``, ``has-agent``, ``id``) split their values on commas, each piece a term of
its own; unknown keys and bad values are 400 errors with ``validations``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from coder_catalog.simulator.data import WORKSPACE_STATUSES
from coder_catalog.simulator.errors import ApiError, Validation

T = TypeVar("T")
Terms = dict[str, list[str]]

WORKSPACE_QUERY_ERROR = "Invalid workspace search query."
TEMPLATE_QUERY_ERROR = "Invalid template search query."


def split_outside_quotes(text: str, delimiter: str, keep_quotes: bool) -> list[str]:
    """Go's ``strings.FieldsFunc`` split that ignores delimiters between double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text:
        if char == '"':
            quoted = not quoted
        if char == delimiter and not quoted:
            if current:
                parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if current:
        parts.append("".join(current))
    return parts if keep_quotes else [p.strip('"') for p in parts]


def search_terms(query: str, default_key: Callable[[str, Terms], None]) -> Terms:
    """Split a query into ``{key: [values]}`` (Coder's ``searchTerms``); raises _QueryError."""
    tokens = split_outside_quotes(query, " ", keep_quotes=True)
    elements = [t for t in tokens if ":" in t]
    bare = [t for t in tokens if ":" not in t]
    if bare:
        elements.append(" ".join(bare))
    terms: Terms = {}
    for element in elements:
        if element.startswith(":") or element.endswith(":"):
            raise _QueryError("q", f"Query element \"{element}\" cannot start or end with ':'")
        parts = split_outside_quotes(element, ":", keep_quotes=False)
        if len(parts) == 1:
            default_key(element, terms)
        elif len(parts) == 2:
            terms.setdefault(parts[0].lower(), []).append(parts[1])
        else:
            raise _QueryError("q", f"Query element \"{element}\" can only contain 1 ':'")
    return terms


class _QueryError(Exception):
    def __init__(self, field_name: str, detail: str) -> None:
        super().__init__(detail)
        self.validation = Validation(field_name, detail)


_GO_BOOLS = {"1": True, "t": True, "true": True, "0": False, "f": False, "false": False}


class QueryParser:
    """Coder's ``httpapi.QueryParamParser``: parse every key, gather every error."""

    def __init__(self, terms: Terms) -> None:
        self.terms = terms
        self.parsed: set[str] = set()
        self.errors: list[Validation] = []

    def _values(self, key: str) -> list[str]:
        self.parsed.add(key)
        values = self.terms.get(key, [])
        return [] if not values or values[0] == "" else values

    def _single(self, key: str) -> str | None:
        values = self._values(key)
        if len(values) > 1:
            self.errors.append(
                Validation(
                    key,
                    f'Query param "{key}" provided more than once, found {len(values)} times. '
                    "Only provide 1 instance of this query param.",
                )
            )
            return None
        return values[0] if values else None

    def string(self, key: str) -> str:
        return self._single(key) or ""

    def boolean(self, key: str) -> bool | None:
        value = self._single(key)
        if value is None:
            return None
        if value not in _GO_BOOLS:
            self.errors.append(
                Validation(
                    key,
                    f'Query param "{key}" must be a valid boolean: '
                    f'strconv.ParseBool: parsing "{value}": invalid syntax',
                )
            )
            return None
        return _GO_BOOLS[value]

    def custom(self, key: str, parse: Callable[[str], T]) -> T | None:
        value = self._single(key)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            self.errors.append(Validation(key, f'Query param "{key}" has invalid value: {exc}'))
            return None

    def custom_list(self, key: str, parse: Callable[[str], T]) -> list[T]:
        pieces = [piece for value in self._values(key) for piece in value.split(",")]
        output: list[T] = []
        problems: list[str] = []
        for piece in pieces:
            try:
                output.append(parse(piece))
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            self.errors.append(
                Validation(key, f'Query param "{key}" has invalid values: ' + "\n".join(problems))
            )
            return []
        return output

    def finish(self, message: str) -> None:
        for key in self.terms:
            if key not in self.parsed:
                self.errors.append(Validation(key, f'"{key}" is not a valid query param'))
        if self.errors:
            raise ApiError(400, message, validations=self.errors)


def enum_value(allowed: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in allowed:
            raise ValueError(f'"{value}" is not a valid value')
        return value

    return parse


def uuid_value(value: str) -> str:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise ValueError(f"invalid UUID length: {len(value.strip())}") from None


# --------------------------------------------------------------------------- workspaces


@dataclass(frozen=True, slots=True)
class ParamMatch:
    """``param:<name>`` (presence) or ``param:<name>=<value>``; both already lower-cased."""

    name: str
    value: str | None = None


@dataclass(slots=True)
class WorkspaceFilter:
    ids: list[str] = field(default_factory=list)
    owner: str = ""
    template: str = ""
    name: str = ""
    status: str = ""
    has_agent: list[str] = field(default_factory=list)
    dormant: bool = False
    outdated: bool | None = None
    healthy: bool | None = None
    organization_id: str = ""
    params: list[ParamMatch] = field(default_factory=list)

    @property
    def has_params(self) -> list[str]:
        return [p.name for p in self.params if p.value is None]

    @property
    def value_params(self) -> list[ParamMatch]:
        return [p for p in self.params if p.value is not None]


def _param_match(term: str) -> ParamMatch:
    term = term.strip()
    parts = term.split("=")
    if len(parts) == 1:
        return ParamMatch(parts[0])
    if len(parts) == 2:
        if parts[1] == "":
            advice = "omit the '=' to match just on the parameter name"
            raise ValueError(f'query element "{term}" has an empty value. {advice}')
        return ParamMatch(parts[0], parts[1])
    raise ValueError(f"query element \"{term}\" can only contain 1 '='")


def _workspace_default_key(term: str, terms: Terms) -> None:
    parts = split_outside_quotes(term, "/", keep_quotes=False)
    if len(parts) == 1:
        terms.setdefault("name", []).append(parts[0])
    elif len(parts) == 2:
        terms.setdefault("owner", []).append(parts[0])
        terms.setdefault("name", []).append(parts[1])
    else:
        raise _QueryError("q", f"Query element \"{term}\" can only contain 1 '/'")


def parse_workspace_query(query: str, resolve_organization: Callable[[str], str]) -> WorkspaceFilter:
    """Parse ``q`` of ``GET /workspaces``; ``resolve_organization`` maps a uuid or name to an id."""
    if query == "":
        return WorkspaceFilter()
    try:
        terms = search_terms(query.lower(), _workspace_default_key)
    except _QueryError as exc:
        raise ApiError(400, WORKSPACE_QUERY_ERROR, validations=[exc.validation]) from None
    parser = QueryParser(terms)
    result = WorkspaceFilter(
        ids=parser.custom_list("id", uuid_value),
        owner=parser.string("owner"),
        template=parser.string("template"),
        name=parser.string("name"),
        status=parser.custom("status", enum_value(WORKSPACE_STATUSES)) or "",
        has_agent=parser.custom_list("has-agent", str),
        dormant=parser.boolean("dormant") or False,
        outdated=parser.boolean("outdated"),
        healthy=parser.boolean("healthy"),
        organization_id=parser.custom("organization", resolve_organization) or "",
        params=parser.custom_list("param", _param_match),
    )
    parser.finish(WORKSPACE_QUERY_ERROR)
    return result


# --------------------------------------------------------------------------- templates


@dataclass(slots=True)
class TemplateFilter:
    deprecated: bool | None = None
    exact_name: str = ""
    fuzzy_name: str = ""
    exact_display_name: str = ""
    fuzzy_display_name: str = ""
    ids: list[str] = field(default_factory=list)
    organization_id: str = ""
    author: str = ""
    deleted: bool = False


def _template_default_key(term: str, terms: Terms) -> None:
    terms.setdefault("display_name", []).append(term)


def parse_template_query(query: str, resolve_organization: Callable[[str], str]) -> TemplateFilter:
    """Parse ``q`` of ``GET /templates``: ``deprecated:``, ``name:``, ``exact_name:``, ..."""
    try:
        terms = search_terms(query.lower(), _template_default_key)
    except _QueryError as exc:
        raise ApiError(400, TEMPLATE_QUERY_ERROR, validations=[exc.validation]) from None
    parser = QueryParser(terms)
    result = TemplateFilter(
        deleted=parser.boolean("deleted") or False,
        organization_id=parser.custom("organization", resolve_organization) or "",
        exact_name=parser.string("exact_name"),
        exact_display_name=parser.string("exact_display_name"),
        fuzzy_name=parser.string("name"),
        fuzzy_display_name=parser.string("display_name"),
        ids=parser.custom_list("ids", uuid_value),
        deprecated=parser.boolean("deprecated"),
        author=parser.string("author"),
    )
    parser.finish(TEMPLATE_QUERY_ERROR)
    return result
