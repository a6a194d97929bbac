"""A catalog document read as a Backstage entity, with the nodes the rules look at."""

from __future__ import annotations

from coder_catalog.analysis.yaml_tree import Entry, Mapping, Node, Scalar

SOURCE_LOCATION = "backstage.io/source-location"


def _string(node: Node | None) -> str | None:
    return node.value if isinstance(node, Scalar) and node.is_string else None


class Entity:
    """The nodes of an entity the rules look at, looked up once."""

    __slots__ = ("annotations", "api_version", "coder", "coder_entry", "kind", "metadata", "root", "spec")

    def __init__(self, root: Mapping) -> None:
        self.root = root
        metadata = root.get("metadata")
        self.metadata: Mapping | None = metadata if isinstance(metadata, Mapping) else None
        annotations = self.metadata.get("annotations") if self.metadata is not None else None
        self.annotations: Mapping | None = annotations if isinstance(annotations, Mapping) else None
        spec = root.get("spec")
        self.spec: Mapping | None = spec if isinstance(spec, Mapping) else None
        #: the ``coder`` entry of ``spec`` (key and value), or None when absent
        self.coder_entry: Entry | None = self.spec.entry("coder") if self.spec is not None else None
        value = self.coder_entry.value if self.coder_entry is not None else None
        self.coder: Mapping | None = value if isinstance(value, Mapping) else None
        #: ``apiVersion`` and ``kind`` when they are strings (most rules ask for them)
        self.api_version: str | None = _string(root.get("apiVersion"))
        self.kind: str | None = _string(root.get("kind"))

    @property
    def name(self) -> str | None:
        return _string(self.metadata.get("name")) if self.metadata else None

    @property
    def namespace(self) -> str:
        found = _string(self.metadata.get("namespace")) if self.metadata else None
        return found or "default"

    def annotations_entry_absent(self, key: str) -> bool:
        """True when the file writes no annotation ``key`` at all, so that the annotations Backstage adds
        at ingestion keep theirs (lodash's merge: a value written here wins, even null or "")."""
        if self.annotations is not None:
            return self.annotations.entry(key) is None
        return self.metadata is None or self.metadata.entry("annotations") is None

    def annotation(self, key: str) -> Scalar | None:
        node = self.annotations.get(key) if self.annotations else None
        return node if isinstance(node, Scalar) else None

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
