"""Rules: the repository URL the plugin derives from ``backstage.io/source-location``."""

from __future__ import annotations

from collections.abc import Iterator

from coder_catalog.analysis.entity import SOURCE_LOCATION
from coder_catalog.analysis.findings import Finding
from coder_catalog.analysis.rules.base import EntityContext, replace_fix, rule
from coder_catalog.analysis.rules.coder_block import example, quoted

_WITH_LOCATION = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: python-project
  annotations:
    backstage.io/source-location: {location}
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: devcontainers
"""


@rule(
    "CC401",
    "missing-source-location",
    "info",
    "No `backstage.io/source-location` annotation",
    explanation="""
The plugin finds an entity's workspaces, and fills the `repoUrlParamKeys` parameters, from the repository
URL in `backstage.io/source-location`. When the file does not set it, Backstage fills it at ingestion from
the URL the file was registered from: the folder that holds the file, such as
`url:https://github.com/acme/platform/tree/main/services/api/`. coder-catalog derives the same from the
repository (its git remote `origin` and default branch, or the `repository.url` and `repository.branch`
settings) and uses it as the plugin will; this information appears only when it cannot, because neither
the annotation nor the repository's URL and branch are known.
""",
    bad=example("coder:\n  templateName: devcontainers"),
    good=_WITH_LOCATION.format(location="url:https://github.com/acme/python-project/tree/main/"),
    group="repository",
)
def missing_source_location(ctx: EntityContext) -> Iterator[Finding]:
    entry = ctx.entity.coder_entry
    if (
        entry is None
        or not ctx.entity.annotations_entry_absent(SOURCE_LOCATION)
        or ctx.effective.repository.derived
    ):
        return
    yield ctx.finding(
        entry.key.span,
        "no backstage.io/source-location annotation, and the repository's URL or branch is unknown (set "
        "repository.url and repository.branch in .coder-catalog.yaml, or a git remote origin): Backstage fills "
        "it at ingestion from the folder the file is registered from; until then the plugin lists all your "
        "workspaces and fills no repository parameter",
    )


@rule(
    "CC402",
    "bare-url-location",
    "error",
    "`backstage.io/source-location` is a bare URL",
    explanation="""
A location reference is `<type>:<target>`, such as `url:https://github.com/acme/repo/tree/main/`.
Backstage rejects a bare `https://...` value, so no repository URL is known. The safe fix adds `url:`.
""",
    bad=_WITH_LOCATION.format(location="https://github.com/acme/python-project/tree/main/"),
    good=_WITH_LOCATION.format(location="url:https://github.com/acme/python-project/tree/main/"),
    group="repository",
)
def bare_url_location(ctx: EntityContext) -> Iterator[Finding]:
    node = ctx.entity.annotation(SOURCE_LOCATION)
    if node is None or not node.is_string or not node.value.startswith(("http://", "https://")):
        return
    fixed = "url:" + node.value
    new_text = quoted(fixed) if node.quoted else fixed
    yield ctx.finding(
        node.span,
        f'{SOURCE_LOCATION} must be a location reference: "url:{node.value}" (Backstage rejects a bare URL)',
        replace_fix('Prefix it with "url:"', node.span, new_text),
    )


@rule(
    "CC403",
    "unmatchable-repository-url",
    "warning",
    "The plugin derives a repository URL that is not a clone URL or cannot be matched",
    explanation="""
The plugin strips one trailing `/tree/<branch>` from the location, when the branch is made of ASCII
letters, digits, `_`, `.` and `-`, and nothing else. GitLab (`/-/blob/`, `/-/tree/`), Bitbucket (`/src/`),
GitHub subfolder, slashed-branch or `v1.0+hotfix` URLs reach the template's git-clone step and the workspace
filter as they are, which is not a clone URL; a URL with `=` or `,` cannot be matched by Coder's workspace
search at all. The finding says exactly what the plugin will send. A file in a subfolder of a repository
that sets no `backstage.io/source-location` gets the folder's URL from Backstage at ingestion: the finding
then sits on `coder`, and writing the annotation with the repository's root fixes it.
""",
    bad=_WITH_LOCATION.format(location="url:https://gitlab.com/acme/python-project/-/blob/main/"),
    good=_WITH_LOCATION.format(location="url:https://github.com/acme/python-project/tree/main/"),
    group="repository",
)
def unmatchable_repository_url(ctx: EntityContext) -> Iterator[Finding]:
    if ctx.entity.coder_entry is None:
        return
    repository = ctx.effective.repository
    node = ctx.entity.annotation(SOURCE_LOCATION)
    if repository.problem is None or repository.url is None:
        return
    if node is not None:
        yield ctx.finding(node.span, f"the plugin will send {repository.url}, which {repository.problem}")
    elif repository.derived:
        yield ctx.finding(
            ctx.entity.coder_entry.key.span,
            f"the file sets no backstage.io/source-location, so Backstage writes the file's folder at ingestion "
            f"and the plugin will send {repository.url}, which {repository.problem}; write the annotation "
            "(url:<repository>/tree/<branch>/) to send the repository itself",
        )
