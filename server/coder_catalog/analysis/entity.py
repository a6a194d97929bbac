"""A catalog document read as a Backstage entity, with the nodes the rules look at."""

from __future__ import annotations

from dataclasses import dataclass

from coder_catalog.analysis.yaml_tree import Entry, Mapping, Node, Scalar

SOURCE_LOCATION = "backstage.io/source-location"


def _string(node: Node | None) -> str | None:
    return node.value if isinstance(node, Scalar) and node.is_string else None


@dataclass(frozen=True, slots=True)
class Entity:
    root: Mapping

    @property
    def api_version(self) -> str | None:
        return _string(self.root.get("apiVersion"))

    @property
    def kind(self) -> str | None:
        return _string(self.root.get("kind"))

    @property
    def metadata(self) -> Mapping | None:
        node = self.root.get("metadata")
        return node if isinstance(node, Mapping) else None

    @property
    def name(self) -> str | None:
        return _string(self.metadata.get("name")) if self.metadata else None

    @property
    def namespace(self) -> str:
        found = _string(self.metadata.get("namespace")) if self.metadata else None
        return found or "default"

    @property
    def annotations(self) -> Mapping | None:
        node = self.metadata.get("annotations") if self.metadata else None
        return node if isinstance(node, Mapping) else None

    def annotation(self, key: str) -> Scalar | None:
        node = self.annotations.get(key) if self.annotations else None
        return node if isinstance(node, Scalar) else None

    @property
    def spec(self) -> Mapping | None:
        node = self.root.get("spec")
        return node if isinstance(node, Mapping) else None

    @property
    def coder_entry(self) -> Entry | None:
        """The ``coder`` entry of ``spec`` (key and value), or None when absent."""
        return self.spec.entry("coder") if self.spec else None

    @property
    def coder(self) -> Mapping | None:
        entry = self.coder_entry
        return entry.value if entry is not None and isinstance(entry.value, Mapping) else None

    @property
    def ref(self) -> str:
        """``kind:namespace/name`` as Backstage writes entity references."""
        kind = (self.kind or "unknown").lower()
        return f"{kind}:{self.namespace}/{self.name or '<unnamed>'}"


def entity_of(root: Node | None) -> Entity | None:
    """The entity view of a document whose root looks like one (a mapping with apiVersion or kind)."""
    if isinstance(root, Mapping) and (root.entry("apiVersion") or root.entry("kind")):
        return Entity(root)
    return None
