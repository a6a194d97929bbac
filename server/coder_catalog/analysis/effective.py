"""The plugin's view of an entity's ``spec.coder`` after merging the app defaults, as its
``compileCoderConfig`` (``useCoderWorkspacesConfig.ts``) computes it.

0. the block is parsed with valibot 0.28: ``undefined``, or an object (anything JavaScript calls an
   object, so a YAML list is read as an empty block) whose ``templateName`` is a string, ``mode`` is
   ``manual`` or ``auto``, and ``params`` an object of strings (a list gives keys ``0``, ``1``...;
   ``__proto__``, ``constructor`` and ``prototype`` are dropped). Anything else throws, and the card
   shows Backstage's error panel with valibot's message instead of workspaces (``rejected``);
1. template: the catalog's ``templateName``, else ``workspaces.defaultTemplateName`` (an empty
   string stays: no create link);
2. mode: the catalog's ``mode``, else ``workspaces.defaultMode``, else ``manual``;
3. params: ``workspaces.params``, overlaid by the catalog's ``params`` (each in JavaScript's object
   key order: integer-like keys first), then every key of ``repoUrlParamKeys`` set to the cleaned
   repository URL (when one is known).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from coder_catalog.analysis.entity import SOURCE_LOCATION, Entity
from coder_catalog.analysis.javascript import (
    encode_uri_component,
    form_urlencode,
    js_key_order,
    js_number,
    js_string,
)
from coder_catalog.analysis.repository import RepositoryURL, repository_url
from coder_catalog.analysis.yaml_tree import Mapping, Node, Scalar, Sequence
from coder_catalog.settings import Settings

ValueSource = Literal["catalog", "app-default", "repository-url", "plugin-default"]


@dataclass(frozen=True, slots=True)
class ParamValue:
    name: str
    value: str
    source: ValueSource
    node: Scalar | None = None  # the catalog's value node, when the catalog set it
    key_node: Node | None = None
    overridden_catalog_node: Scalar | None = None  # a catalog value the repository URL replaced


@dataclass(frozen=True, slots=True)
class EffectiveCoder:
    template_name: str | None
    template_source: ValueSource | None
    template_node: Scalar | None
    mode: str
    mode_source: ValueSource
    params: dict[str, ParamValue] = field(default_factory=dict)  # JavaScript's object key order
    repository: RepositoryURL = field(default_factory=lambda: RepositoryURL(None, None))
    #: valibot's message when it refuses the block: the card shows Backstage's error panel instead
    rejected: str | None = None
    #: the ``param.<name>`` values of the create link, in the order its URLSearchParams holds them
    link_params: tuple[tuple[str, str], ...] = ()

    def create_link(self, access_url: str | None) -> str | None:
        """The link the plugin builds: None when the card shows an error, without a template name (an
        empty one included) or without a deployment URL. The access URL is used as written."""
        if self.rejected is not None or not self.template_name or not access_url:
            return None
        query = [("mode", self.mode)] + [(f"param.{name}", value) for name, value in self.link_params]
        return f"{access_url}/templates/{encode_uri_component(self.template_name)}/workspace?{form_urlencode(query)}"


def template_url(access_url: str, name: str) -> str:
    """The template's page on the deployment (Coder resolves the name in the default organization)."""
    return f"{access_url.rstrip('/')}/templates/{encode_uri_component(name)}"


def js_key(node: Node) -> str | None:
    """The key a YAML mapping key becomes in the entity's JSON (the ``yaml`` package's ``String(key)``;
    a null key is ``""``); None for a collection key."""
    if not isinstance(node, Scalar):
        return None
    if node.type == "null":
        return ""
    if node.type == "bool":
        return "true" if node.value else "false"
    if node.type in ("int", "float") and isinstance(node.value, int | float):
        return js_string(js_number(node.value))  # a JavaScript number: 12345678901234567890 loses digits
    return str(node.value) if node.is_string else node.text


# -- valibot's verdict -----------------------------------------------------------------------------------

#: valibot's record() skips these keys.
_DROPPED_KEYS = frozenset({"__proto__", "prototype", "constructor"})


def valibot_received(node: Node) -> str:
    """How valibot names a value in "Invalid type: Expected ... but received <value>"."""
    if isinstance(node, Scalar):
        if node.type == "null":
            return "null"
        if node.type == "bool":
            return "true" if node.value else "false"
        if node.type in ("int", "float") and isinstance(node.value, int | float):
            return js_string(node.value)
        return f'"{node.value if node.is_string else node.text}"'
    return "Array" if isinstance(node, Sequence) else "Object"


def _is_js_string(node: Node) -> bool:
    return isinstance(node, Scalar) and node.is_string


def _accepted_block(value: Node) -> bool:
    """Whether valibot's ``object({templateName, mode, params})`` accepts ``value`` (a mapping or a list)."""
    if isinstance(value, Sequence):
        return True  # an array has none of the three properties
    assert isinstance(value, Mapping)
    found: dict[str, Node] = {}
    for entry in value.entries:
        key = js_key(entry.key)
        if key is not None:
            found[key] = entry.value  # the last of duplicate keys wins (Backstage refuses them anyway)
    template, mode, params = found.get("templateName"), found.get("mode"), found.get("params")
    if template is not None and not _is_js_string(template):
        return False
    if mode is not None and not (
        _is_js_string(mode) and isinstance(mode, Scalar) and mode.value in ("manual", "auto")
    ):
        return False
    if params is not None:
        if isinstance(params, Sequence):
            return all(_is_js_string(item) for item in params.items)
        if not isinstance(params, Mapping):
            return False
        return all(_is_js_string(e.value) for e in params.entries if js_key(e.key) not in _DROPPED_KEYS)
    return True


def plugin_rejection(coder: Node | None) -> str | None:
    """valibot's message when it refuses ``spec.coder`` (the card then shows "Error in coder"), or None."""
    if coder is None:
        return None
    if isinstance(coder, Mapping | Sequence) and _accepted_block(coder):
        return None
    received = "Object" if isinstance(coder, Mapping | Sequence) else valibot_received(coder)
    return f"Invalid type: Expected undefined | Object but received {received}"


# compileCoderConfig walks each params object with params.hasOwnProperty(key): a parameter of that name
# shadows the method, and the card shows the TypeError instead of workspaces.
HAS_OWN_PROPERTY_ERROR = "params.hasOwnProperty is not a function"


def scalar_text(node: Node | None) -> str | None:
    """A param value as the plugin would pass it on, for checking (non-strings are flagged elsewhere)."""
    if not isinstance(node, Scalar):
        return None
    if node.type == "null":
        return None
    return node.text


def effective_coder(
    entity: Entity, settings: Settings, default_location: str | None = None
) -> EffectiveCoder:
    """The plugin's view of the entity. ``default_location`` is the ``backstage.io/source-location``
    Backstage writes at ingestion when the file sets none (derived from the repository: see
    :func:`coder_catalog.settings.ingestion_location`)."""
    defaults = settings.workspaces
    entry = entity.coder_entry
    coder_node = entry.value if entry is not None else None
    rejected = plugin_rejection(coder_node)
    coder = entity.coder  # the block as a mapping (a list has no keys: the plugin reads it as empty)

    template_node = coder.get("templateName") if coder else None
    template_name: str | None
    template_source: ValueSource | None
    if isinstance(template_node, Scalar) and template_node.is_string:
        template_name, template_source = template_node.value, "catalog"
    elif template_node is not None:
        template_name, template_source = scalar_text(template_node), "catalog"
    elif defaults.default_template_name:
        template_name, template_source = defaults.default_template_name, "app-default"
    else:
        template_name, template_source = None, None

    mode_node = coder.get("mode") if coder else None
    mode: str
    mode_source: ValueSource
    if isinstance(mode_node, Scalar) and mode_node.text in ("manual", "auto") and mode_node.is_string:
        mode, mode_source = mode_node.text, "catalog"
    elif defaults.default_mode:
        mode, mode_source = defaults.default_mode, "app-default"
    else:
        mode, mode_source = "manual", "plugin-default"

    params: dict[str, ParamValue] = {}
    link: dict[str, str] = {}  # URLSearchParams: a name set again keeps its first place

    def put(value: ParamValue) -> None:
        link[value.name] = value.value
        if value.name != "__proto__":  # assigning a string to an object's __proto__ does nothing
            params[value.name] = value

    app_params = js_key_order(list(defaults.params))
    catalog_params = _catalog_params(coder.get("params") if coder else None)
    if rejected is None and "hasOwnProperty" in [*app_params, *(p.name for p in catalog_params)]:
        rejected = HAS_OWN_PROPERTY_ERROR
    for name in app_params:
        put(ParamValue(name, defaults.params[name], "app-default"))
    for value in catalog_params:
        put(value)

    location = entity.annotation(SOURCE_LOCATION)
    if location is None and entity.annotations_entry_absent(SOURCE_LOCATION) and default_location is not None:
        repository = replace(repository_url(default_location), annotation=None, derived=True)
    else:
        repository = repository_url(location.value if location is not None and location.is_string else None)
    if repository.url is not None:
        for key in defaults.repo_url_param_keys:
            previous = params.get(key)
            overridden = previous.node if previous is not None and previous.source == "catalog" else None
            put(ParamValue(key, repository.url, "repository-url", overridden_catalog_node=overridden))

    return EffectiveCoder(
        template_name=template_name,
        template_source=template_source,
        template_node=template_node if isinstance(template_node, Scalar) else None,
        mode=mode,
        mode_source=mode_source,
        params={name: params[name] for name in js_key_order(list(params))},
        repository=repository,
        rejected=rejected,
        link_params=tuple(link.items()),
    )


def _catalog_params(params_node: Node | None) -> list[ParamValue]:
    """The catalog's parameters as the plugin reads them, in JavaScript's key order: a mapping's string
    values (keys as the entity's JSON writes them), a list's items under ``0``, ``1``..."""
    found: dict[str, ParamValue] = {}
    if isinstance(params_node, Sequence):
        for index, item in enumerate(params_node.items):
            value = scalar_text(item)
            if isinstance(item, Scalar) and value is not None:
                found[str(index)] = ParamValue(str(index), value, "catalog", item)
    elif isinstance(params_node, Mapping):
        for entry in params_node.entries:
            key = js_key(entry.key)
            value = scalar_text(entry.value)
            if key is None or key in _DROPPED_KEYS or value is None or not isinstance(entry.value, Scalar):
                continue
            found[key] = ParamValue(key, value, "catalog", entry.value, entry.key)
    return [found[key] for key in js_key_order(list(found))]
