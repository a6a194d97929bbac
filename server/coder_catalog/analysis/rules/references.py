"""Rules: the catalog as a whole, such as references between entities, judged across its files.

CC601 needs every file of the catalog: it is reported by the shells over a
:class:`~coder_catalog.analysis.catalog_index.CatalogIndex` (``lint``: of all the files it checks; the
language server: of the workspace's catalog files), and only when the settings say the whole catalog is
there (``references.complete: true``).
"""

from __future__ import annotations

from coder_catalog.analysis.rules.base import declare

GROUP = "catalog"

UNRESOLVED_REFERENCE = "CC601"

declare(
    UNRESOLVED_REFERENCE,
    "unresolved-reference",
    "warning",
    "An entity reference names no entity of the catalog",
    explanation="""
Checked only when `references.complete: true` says the files checked together hold the whole catalog, or
`references.catalog` names the folders where the rest of it is (indexed too, not checked): otherwise the
entity may well be defined elsewhere. `coder-catalog lint` indexes every entity of the
files it checks; the language server indexes the catalog files of the workspace folders (and the files
their `Location` entities name), and reports once that first reading is done. Each reference of
`spec.owner`, `system`, `domain`, `subcomponentOf`, `subdomainOf`, `providesApis`, `consumesApis`,
`dependsOn`, `dependencyOf`, `parent`, `children`, `members` and `memberOf` that names none of them,
with the entities it may have meant. A reference is resolved as Backstage does: the field's default kind
(`owner: team-a` is `group:team-a`, `members` are Users, `dependsOn` names its kind), the referring
entity's namespace when it names none, and no regard to case. Backstage ingests the entity all the same,
but the relation points nowhere: its page shows no owner, no system, a missing dependency.

```yaml
spec:
  owner: team-b          # no Group team-b in the catalog (did you mean "team-a"?)
  system: payments       # a System payments defined in another file: fine
```
""",
    bad="",
    good="",
    group=GROUP,
)
