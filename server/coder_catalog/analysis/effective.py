"""The plugin's view of an entity's ``spec.coder`` after merging the app defaults.

1. template: the catalog's ``templateName``, else ``workspaces.defaultTemplateName``;
2. mode: the catalog's ``mode``, else ``workspaces.defaultMode``, else ``manual``;
3. params: ``workspaces.params``, overlaid by the catalog's ``params``, then every key of
   ``repoUrlParamKeys`` set to the cleaned repository URL (when one is known).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote, urlencode

from coder_catalog.analysis.entity import SOURCE_LOCATION, Entity
from coder_catalog.analysis.repository import RepositoryURL, repository_url
from coder_catalog.analysis.yaml_tree import Mapping, Node, Scalar
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
    params: dict[str, ParamValue] = field(default_factory=dict)
    repository: RepositoryURL = field(default_factory=lambda: RepositoryURL(None, None))

    def create_link(self, access_url: str | None) -> str | None:
        """The link the plugin builds; None without a template (or without a deployment URL)."""
        if not self.template_name or not access_url:
            return None
        query = [("mode", self.mode)] + [(f"param.{p.name}", p.value) for p in self.params.values()]
        return f"{template_url(access_url, self.template_name)}/workspace?{urlencode(query)}"


def template_url(access_url: str, name: str) -> str:
    """The template's page on the deployment (Coder resolves the name in the default organization)."""
    return f"{access_url.rstrip('/')}/templates/{quote(name, safe='')}"


def scalar_text(node: Node | None) -> str | None:
    """A param value as the plugin would pass it on, for checking (non-strings are flagged elsewhere)."""
    if not isinstance(node, Scalar):
        return None
    if node.type == "null":
        return None
    return node.text


def effective_coder(entity: Entity, settings: Settings) -> EffectiveCoder:
    defaults = settings.workspaces
    coder = entity.coder

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

    params: dict[str, ParamValue] = {
        name: ParamValue(name, value, "app-default") for name, value in defaults.params.items()
    }
    params_node = coder.get("params") if coder else None
    if isinstance(params_node, Mapping):
        for entry in params_node.entries:
            key = entry.key_text
            value = scalar_text(entry.value)
            if key is None or value is None or not isinstance(entry.value, Scalar):
                continue
            params[key] = ParamValue(key, value, "catalog", entry.value, entry.key)

    location = entity.annotation(SOURCE_LOCATION)
    repository = repository_url(location.value if location is not None and location.is_string else None)
    if repository.url is not None:
        for key in defaults.repo_url_param_keys:
            previous = params.get(key)
            overridden = previous.node if previous is not None and previous.source == "catalog" else None
            params[key] = ParamValue(
                key, repository.url, "repository-url", overridden_catalog_node=overridden
            )

    return EffectiveCoder(
        template_name=template_name,
        template_source=template_source,
        template_node=template_node if isinstance(template_node, Scalar) else None,
        mode=mode,
        mode_source=mode_source,
        params=params,
        repository=repository,
    )
