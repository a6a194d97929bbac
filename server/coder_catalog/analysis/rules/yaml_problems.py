"""Problems with the YAML itself. The analysis driver reports these; here is their metadata."""

from __future__ import annotations

from coder_catalog.analysis.rules.base import declare

INTERNAL_ERROR = "CC000"
SYNTAX_ERROR = "CC001"
DUPLICATE_KEY = "CC002"
ALIAS_BOMB = "CC003"
NOT_A_MAPPING = "CC004"
FILE_TOO_LARGE = "CC005"
DOCUMENT_TOO_DEEP = "CC006"
# Refusals: the file or document was not checked. The linter exits 2 for them, as for an unreadable file.
NOT_CHECKED = frozenset({ALIAS_BOMB, FILE_TOO_LARGE, DOCUMENT_TOO_DEEP})
TEMPLATES_UNAVAILABLE = "CC200"

_ENTITY = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
spec:
  type: service
  lifecycle: production
  owner: team-a
"""

declare(
    INTERNAL_ERROR,
    "internal-error",
    "warning",
    "A rule failed on this document",
    explanation="A bug in coder-catalog, not in your file: the other rules still ran. Please report it "
    "with the document that caused it.",
    bad="",
    good="",
    group="yaml",
)

declare(
    SYNTAX_ERROR,
    "yaml-syntax",
    "error",
    "The document is not valid YAML",
    explanation="Backstage cannot read a document with a syntax error, so the entity is not ingested. "
    "The finding points at the place the YAML parser gave up; the other documents of the file are still checked.",
    bad=_ENTITY.replace("name: python-project", "name: [python-project"),
    good=_ENTITY,
    group="yaml",
)

declare(
    DUPLICATE_KEY,
    "duplicate-key",
    "error",
    "A key appears twice in the same mapping",
    explanation="Backstage rejects an entity whose YAML repeats a key. Which value a tool uses differs "
    "from tool to tool; remove one of them.",
    bad=_ENTITY + "  coder:\n    templateName: docker\n    mode: auto\n    mode: manual\n",
    good=_ENTITY + "  coder:\n    templateName: docker\n    mode: auto\n",
    group="yaml",
)

declare(
    ALIAS_BOMB,
    "alias-expansion",
    "error",
    "Aliases expand the document beyond any sensible size",
    explanation="Anchors and aliases are fine, but a document whose aliases expand to more than 100,000 "
    "nodes (a 'billion laughs' document) is reported instead of being expanded.",
    bad="a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
    good=_ENTITY.replace("metadata:", "metadata:\n  tags: &tags [python, api]") + "  x-tags: *tags\n",
    group="yaml",
)

declare(
    NOT_A_MAPPING,
    "not-a-mapping",
    "error",
    "A document is not a mapping",
    explanation="Each document of a catalog file is one entity: a mapping with `apiVersion`, `kind`, "
    "`metadata` and usually `spec`.",
    bad="".join(("- " if i == 0 else "  ") + line + "\n" for i, line in enumerate(_ENTITY.splitlines())),
    good=_ENTITY,
    group="yaml",
)

declare(
    TEMPLATES_UNAVAILABLE,
    "templates-unavailable",
    "warning",
    "Templates and parameters could not be checked",
    explanation="The Coder deployment could not be asked (unreachable, no credential, token rejected...). "
    "Rather than report every template as unknown, the template and parameter rules are skipped and this "
    "one finding says why. Use a template snapshot (`coder-catalog templates pull`) to lint without network.",
    bad="",
    good="",
    group="templates",
)

declare(
    FILE_TOO_LARGE,
    "file-too-large",
    "error",
    "The file is too large to analyse",
    explanation="Catalog files are small: a 2,000-entity file is under 1 MB. A file over 8 MB is refused "
    "with this one finding instead of being parsed, so that neither the linter nor the editor stalls on it.",
    bad="",
    good="",
    group="yaml",
)

declare(
    DOCUMENT_TOO_DEEP,
    "document-too-deep",
    "error",
    "The document is nested too deeply to analyse",
    explanation="Catalog entities are a few levels deep. A document nested more than 1,000 levels deep "
    "(mappings and lists) is reported with this finding instead of being read, so that neither the linter "
    "nor the editor runs out of stack on it; the other documents of the file are still checked.",
    bad="",
    good="",
    group="yaml",
)
