"""Coder's search-query language (``q=``) for workspaces and templates, parsed as Coder does.

Faithful to ``coderd/searchquery``: the whole query is lower-cased; it is split on spaces
outside double quotes; terms without a ``key:`` are joined back with spaces and given to a
default key; ``key:value`` splits on ``:`` outside quotes (quotes are then dropped); list
keys (``param``, ``id``, ``ids``) split their values on commas, each piece a term of its own;
every other key takes one value (twice is an error); unknown keys and bad values are 400
errors with ``validations``, gathered in the order Coder parses the keys.

The keys (``coderd/searchquery/search.go``):

- workspaces (default key: ``[owner/]name``): ``id``, ``owner``, ``template``, ``name``,
  ``status``, ``has-agent``, ``dormant``, ``last_used_after``, ``last_used_before``,
  ``outdated``, ``has-ai-task``, ``has_external_agent``, ``organization``, ``shared``,
  ``shared_with_user``, ``shared_with_group``, ``param``;
- templates (default key: ``display_name``): ``deleted``, ``organization``, ``exact_name``,
  ``exact_display_name``, ``name``, ``display_name``, ``ids``, ``deprecated``, ``has-ai-task``,
  ``author_id``, ``author``, ``has_external_agent``. ``deprecated`` is a nullable boolean: absent,
  deprecated templates are listed with the others.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from coder_catalog.simulator.data import WORKSPACE_STATUSES
from coder_catalog.simulator.errors import ApiError, Validation
from coder_catalog.simulator.gotime import RFC3339_NANO, GoTimeError, go_upper, parse_rfc3339_nano

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

    def uuid(self, key: str) -> str | None:
        """``parser.UUID``: its error names no reason."""
        value = self._single(key)
        if value is None:
            return None
        try:
            return go_uuid(value)
        except ValueError:
            self.errors.append(Validation(key, f'Query param "{key}" must be a valid uuid'))
            return None

    def time(self, key: str) -> datetime | None:
        """``parser.Time3339Nano``: the term upper-cased, then Go's ``time.Parse(time.RFC3339Nano)``."""
        value = self._single(key)
        if value is None:
            return None
        try:
            return parse_rfc3339_nano(go_upper(value))
        except GoTimeError as exc:
            self.errors.append(
                Validation(key, f'Query param "{key}" must be a valid date format ({RFC3339_NANO}): {exc}')
            )
            return None

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


_HEX = frozenset(b"0123456789abcdefABCDEF")


def go_uuid(value: str) -> str:
    """``uuid.Parse`` (github.com/google/uuid): its four spellings, its errors; canonical form out."""
    raw = value.encode("utf-8")
    if len(raw) == 36 + 9:
        if raw[:9].lower() != b"urn:uuid:":
            prefix = raw[:9].decode("utf-8", "replace")
            raise ValueError(f'invalid urn prefix: "{prefix}"')
        raw = raw[9:]
    elif len(raw) == 36 + 2:
        raw = raw[1:]  # Go skips the first byte ("{") and never looks at the last ("}")
    elif len(raw) == 32:
        if not all(b in _HEX for b in raw):
            raise ValueError("invalid UUID format")
        return str(uuid.UUID(hex=raw.decode()))
    elif len(raw) != 36:
        raise ValueError(f"invalid UUID length: {len(raw)}")
    hex_part = raw[:36]
    if any(hex_part[i] != ord("-") for i in (8, 13, 18, 23)):
        raise ValueError("invalid UUID format")
    digits = hex_part.replace(b"-", b"")
    if len(digits) != 32 or not all(b in _HEX for b in digits):
        raise ValueError("invalid UUID format")
    return str(uuid.UUID(hex=digits.decode()))


def uuid_value(value: str) -> str:
    """An element of a ``parser.UUIDs`` list: trimmed, then ``uuid.Parse``."""
    return go_uuid(value.strip())


NIL_UUID = "00000000-0000-0000-0000-000000000000"
_NAME = re.compile(r"[a-zA-Z0-9]+(?:-[a-zA-Z0-9]+)*")


def name_problem(name: str) -> str | None:
    """``codersdk.NameValid`` (organization, user, template names...): what is wrong, if anything."""
    if len(name.encode()) > 32:
        return "must be <= 32 characters"
    if name == "":
        return "must be >= 1 character"
    if name in ("new", "create"):
        return f'cannot use "{name}" as a name'
    return None if _NAME.fullmatch(name) else "must be alphanumeric with hyphens"


def group_name_problem(name: str) -> str | None:
    """``codersdk.GroupNameValid``: like a name, up to 255 bytes (and at least one character)."""
    if len(name.encode()) > 255:
        return "must be <= 255 characters"
    if name in ("new", "create"):
        return f'cannot use "{name}" as a name'
    return None if _NAME.fullmatch(name) else "must be alphanumeric with hyphens"


class Directory(Protocol):
    """The lookups by name a search makes, in what the searching user may see."""

    def organization_named(self, name: str) -> tuple[str, str] | None:
        """``(id, name)`` of the organization of that name (case-insensitive)."""

    def default_organization(self) -> tuple[str, str]:
        """``(id, name)`` of the default organization."""

    def user_named(self, username: str) -> str | None:
        """The id of the (not deleted) user of that username (case-insensitive)."""

    def group_named(self, organization_id: str, name: str) -> str | None:
        """The id of the group of exactly that name (case-sensitive) in the organization."""


class _EmptyDirectory:
    """For callers that resolve nothing by name: one organization, no users, no groups."""

    def organization_named(self, name: str) -> tuple[str, str] | None:
        return None

    def default_organization(self) -> tuple[str, str]:
        return NIL_UUID, "default"

    def user_named(self, username: str) -> str | None:
        return None

    def group_named(self, organization_id: str, name: str) -> str | None:
        return None


def user_value(directory: Directory, actor_id: str = NIL_UUID) -> Callable[[str], str]:
    """``searchquery.parseUser``: ``me`` (only where Coder passes the actor), a uuid, or a username."""

    def parse(value: str) -> str:
        if value == "":
            return NIL_UUID
        if value == "me" and actor_id != NIL_UUID:
            return actor_id
        try:
            return go_uuid(value)
        except ValueError:
            pass
        found = directory.user_named(value)
        if found is None:
            raise ValueError(f'user "{value}" either does not exist, or you are unauthorized to view them')
        return found

    return parse


def group_value(directory: Directory) -> Callable[[str], str]:
    """``searchquery.parseGroup``: a uuid, ``<organization>/<group>``, or a group of the default
    organization. Group names compare case-sensitively while the query is lower-cased, so a group
    whose name has a capital (Coder's ``Everyone``) can only be named by its uuid."""

    def parse(value: str) -> str:
        if value == "":
            return NIL_UUID
        try:
            return go_uuid(value)
        except ValueError:
            pass
        parts = value.split("/")
        if len(parts) == 1:
            (org_id, org_name), group = directory.default_organization(), parts[0]
        elif len(parts) == 2:
            problem = name_problem(parts[0])
            if problem is not None:
                raise ValueError(f"invalid organization name {problem}")
            found_org = directory.organization_named(parts[0])
            if found_org is None:
                raise ValueError(
                    f'organization "{parts[0]}" either does not exist, or you are unauthorized to view it'
                )
            (org_id, org_name), group = found_org, parts[1]
        else:
            raise ValueError(
                "invalid organization or group name, the filter must be in the pattern of "
                "<organization name>/<group name>"
            )
        problem = group_name_problem(group)
        if problem is not None:
            raise ValueError(f"invalid group name {problem}")
        found = directory.group_named(org_id, group)
        if found is None:
            raise ValueError(
                f'group "{group}" either does not exist, does not belong to the organization '
                f'"{org_name}", or you are unauthorized to view it'
            )
        return found

    return parse


def ilike(text: str, pattern: str) -> bool:
    """PostgreSQL's ``text ILIKE pattern``: ``%`` any run, ``_`` any one character, ``\\`` escapes."""
    parts: list[str] = []
    escaped = False
    for char in pattern:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    if escaped:  # PostgreSQL refuses a pattern ending in the escape; Coder's patterns end in "%"
        parts.append(re.escape("\\"))
    return re.fullmatch("".join(parts), text.lower(), re.DOTALL | re.IGNORECASE) is not None


def contains(text: str, term: str) -> bool:
    """Coder's substring search: ``ILIKE '%' || term || '%'`` (so ``_`` and ``%`` in the term are wildcards)."""
    return ilike(text, f"%{term.lower()}%")


# --------------------------------------------------------------------------- workspaces


@dataclass(frozen=True, slots=True)
class ParamMatch:
    """``param:<name>`` (presence) or ``param:<name>=<value>``; both already lower-cased."""

    name: str
    value: str | None = None


@dataclass(slots=True)
class WorkspaceFilter:
    """``database.GetWorkspacesParams`` as ``searchquery.Workspaces`` fills it.

    None (and ``""``) mean "no filter"; a user or group filter holds an id, never the nil uuid.
    """

    ids: list[str] = field(default_factory=list)
    owner: str = ""
    template: str = ""
    name: str = ""
    status: str = ""
    has_agent: str = ""
    dormant: bool = False
    last_used_after: datetime | None = None
    last_used_before: datetime | None = None
    outdated: bool | None = None
    has_ai_task: bool | None = None
    has_external_agent: bool | None = None
    organization_id: str = ""
    shared: bool | None = None
    shared_with_user: str = ""
    shared_with_group: str = ""
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


def _after_zero(moment: datetime | None) -> datetime | None:
    """The SQL filters on ``last_used_*`` only for a time after Go's zero time (0001-01-01T00:00:00Z)."""
    return moment if moment is not None and moment > datetime.min.replace(tzinfo=UTC) else None


def _not_nil(reference: str | None) -> str:
    return "" if reference in (None, NIL_UUID) else reference


def parse_workspace_query(
    query: str, resolve_organization: Callable[[str], str], directory: Directory | None = None
) -> WorkspaceFilter:
    """Parse ``q`` of ``GET /workspaces``; ``resolve_organization`` maps a uuid or name to an id,
    ``directory`` finds users and groups by name (``shared_with_user``, ``shared_with_group``)."""
    if query == "":
        return WorkspaceFilter()
    try:
        terms = search_terms(query.lower(), _workspace_default_key)
    except _QueryError as exc:
        raise ApiError(400, WORKSPACE_QUERY_ERROR, validations=[exc.validation]) from None
    names = directory or _EmptyDirectory()
    parser = QueryParser(terms)
    # In Coder's order, which is the order of the validation errors.
    result = WorkspaceFilter(
        ids=parser.custom_list("id", uuid_value),
        owner=parser.string("owner"),
        template=parser.string("template"),
        name=parser.string("name"),
        status=parser.custom("status", enum_value(WORKSPACE_STATUSES)) or "",
        has_agent=parser.string("has-agent"),  # one value, compared as a whole (no list)
        dormant=parser.boolean("dormant") or False,
        last_used_after=_after_zero(parser.time("last_used_after")),
        last_used_before=_after_zero(parser.time("last_used_before")),
        outdated=parser.boolean("outdated"),
        has_ai_task=parser.boolean("has-ai-task"),
        has_external_agent=parser.boolean("has_external_agent"),
        organization_id=parser.custom("organization", resolve_organization) or "",
        shared=parser.boolean("shared"),
        # Coder passes no actor here (a TODO in search.go): "me" is looked up as a username.
        shared_with_user=_not_nil(parser.custom("shared_with_user", user_value(names))),
        shared_with_group=_not_nil(parser.custom("shared_with_group", group_value(names))),
        params=parser.custom_list("param", _param_match),
    )
    parser.finish(WORKSPACE_QUERY_ERROR)
    return result


# --------------------------------------------------------------------------- templates


@dataclass(slots=True)
class TemplateFilter:
    """``database.GetTemplatesWithFilterParams`` as ``searchquery.Templates`` fills it."""

    deleted: bool = False
    organization_id: str = ""
    exact_name: str = ""
    exact_display_name: str = ""
    fuzzy_name: str = ""
    fuzzy_display_name: str = ""
    ids: list[str] = field(default_factory=list)
    deprecated: bool | None = None  # None: deprecated templates are listed with the others
    has_ai_task: bool | None = None
    author_id: str = ""
    author: str = ""
    has_external_agent: bool | None = None


def _template_default_key(term: str, terms: Terms) -> None:
    terms.setdefault("display_name", []).append(term)


def parse_template_query(
    query: str, resolve_organization: Callable[[str], str], actor_id: str = NIL_UUID
) -> TemplateFilter:
    """Parse ``q`` of ``GET /templates``; a bare term searches the display name (``display_name:``).

    ``author:me`` becomes ``author_id`` = the searching user (``actor_id``), replacing any
    ``author_id:`` given, as in Coder.
    """
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
        has_ai_task=parser.boolean("has-ai-task"),
        author_id=_not_nil(parser.uuid("author_id")),
        author=parser.string("author"),
        has_external_agent=parser.boolean("has_external_agent"),
    )
    if result.author == "me":
        result.author_id, result.author = _not_nil(actor_id), ""
    parser.finish(TEMPLATE_QUERY_ERROR)
    return result
