"""Whether one file is a catalog file (the editor's question for an open document): named
``catalog-info.yaml``/``.yml``, matched by ``catalogGlobs`` as ``lint`` matches them when it searches a
folder, or YAML that looks like an entity."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from tests.cli.lint_helpers import component, isolate, write

from coder_catalog.catalog_files import (
    SettingsResolver,
    discover,
    is_catalog_file,
    looks_like_entity,
    matches_globs,
)
from coder_catalog.lsp.deployments import ProgressHandle, TemplateProviders
from coder_catalog.lsp.documents import CatalogDocuments, OpenDocument
from coder_catalog.lsp.workspace_index import WorkspaceIndex
from coder_catalog.settings import Settings, WorkspaceDefaults

NOT_AN_ENTITY = "name: plain YAML\n"  # so only the name or the globs make it a catalog file


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return isolate(monkeypatch, tmp_path)


def settings(*globs: str, project: Path | None = None) -> Settings:
    return Settings(
        access_url=None,
        workspaces=WorkspaceDefaults(),
        catalog_globs=globs,
        project_file=str(project) if project is not None else None,
    )


def editor_judges(path: Path, found: Settings, cwd: Path | None = None) -> bool:
    return is_catalog_file(str(path), "yaml", NOT_AN_ENTITY, found, cwd=cwd)


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        # fnmatch (the editor's matching before) let * cross folders: the editor said yes, lint no
        ("services/*.yaml", "services/a/b.yaml", False),
        ("services/*.yaml", "services/a.yaml", True),
        ("services/**/*.yaml", "services/a/b.yaml", True),
        ("services/**/*.yaml", "services/a.yaml", True),
        ("*.yaml", "deep/a.yaml", False),
        ("**/*.catalog.yaml", "x.catalog.yaml", True),
        ("./teams/[ab].yaml", "teams/b.yaml", True),
        ("teams/[!ab].yaml", "teams/b.yaml", False),
    ],
)
def test_the_editor_matches_globs_as_lint_does(work: Path, glob: str, path: str, matches: bool) -> None:
    project = work / ".coder-catalog.yaml"
    assert editor_judges(work / path, settings(glob, project=project)) is matches
    write(project, f"catalogGlobs: [{glob!r}]\n")
    write(work / path, NOT_AN_ENTITY)
    found = discover(["."], SettingsResolver({}, env={}, cwd=work)).files
    assert (work / path in found) is matches


def test_globs_are_relative_to_the_project_files_folder(work: Path) -> None:
    project = work / "team" / ".coder-catalog.yaml"
    found = settings("services/*.yaml", project=project)
    assert editor_judges(work / "team" / "services" / "a.yaml", found)
    assert not editor_judges(work / "services" / "a.yaml", found)
    assert not editor_judges(work / "other" / "team" / "services" / "a.yaml", found)


def test_without_a_project_file_globs_are_relative_to_the_working_folder(work: Path) -> None:
    found = settings("teams/*.yaml")
    assert editor_judges(work / "teams" / "a.yaml", found, cwd=work)
    assert not editor_judges(work / "repo" / "teams" / "a.yaml", found, cwd=work)  # once in any folder
    assert editor_judges(work / "repo" / "teams" / "a.yaml", found, cwd=work / "repo")
    assert matches_globs("teams/a.yaml", found, cwd=work)  # a relative path: relative to cwd
    assert matches_globs(str(work / "teams" / "a.yaml"), found)  # cwd: the process's (isolate's work)


def test_names_and_entity_looking_yaml_need_no_glob(work: Path) -> None:
    none = settings()
    assert is_catalog_file(str(work / "a" / "catalog-info.yml"), None, "", none)
    assert not is_catalog_file(str(work / "a" / "service.yaml"), "yaml", NOT_AN_ENTITY, none)
    assert is_catalog_file(str(work / "a" / "service.yaml"), "yaml", component("a"), none)
    assert is_catalog_file(None, "yaml", component("a"), none)  # an untitled buffer
    assert not is_catalog_file(str(work / "a" / "notes.txt"), "plaintext", component("a"), none)
    assert looks_like_entity("apiVersion: v1\nkind: Component\n")
    assert not looks_like_entity("  apiVersion: v1\nkind: Component\n")
    # Backstage's API versions and built-in kinds; not Kubernetes manifests or OpenShift templates
    assert looks_like_entity("apiVersion: 'scaffolder.backstage.io/v1beta3'\nkind: Template\n")
    assert looks_like_entity('apiVersion: acme.com/v1  # ours\nkind: "group"\n')
    assert looks_like_entity(
        "apiVersion: apps/v1\nkind: Deployment\n---\napiVersion: backstage.io/v1alpha1\nkind: X\n"
    )
    assert not looks_like_entity("apiVersion: apps/v1\nkind: Deployment\n")
    assert not looks_like_entity("apiVersion: template.openshift.io/v1\nkind: Template\n")
    assert not is_catalog_file(
        str(work / "k8s" / "deploy.yaml"), "yaml", "apiVersion: v1\nkind: Service\n", none
    )


def new_documents() -> CatalogDocuments:
    return CatalogDocuments(TemplateProviders(lambda p: None, lambda k, m: None, lambda t: ProgressHandle()))


def open_file(documents: CatalogDocuments, path: Path) -> OpenDocument:
    write(path, NOT_AN_ENTITY)
    return documents.open(path.as_uri(), str(path), "yaml", 1, NOT_AN_ENTITY)


def test_an_open_document_is_judged_with_the_project_files_globs(work: Path) -> None:
    write(work / ".coder-catalog.yaml", 'catalogGlobs: ["services/*.yaml"]\n')
    documents = new_documents()
    assert open_file(documents, work / "services" / "a.yaml").is_catalog
    assert not open_file(documents, work / "services" / "a" / "b.yaml").is_catalog
    assert documents.set_folders([str(work)]) == []  # a project file sets them: the folders change nothing


def test_the_editors_globs_are_relative_to_the_workspace_folder_holding_the_document(
    work: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # the server runs elsewhere
    documents = new_documents()
    documents.set_overrides({"catalogGlobs": ["teams/*.yaml"]})
    document = open_file(documents, work / "teams" / "a.yaml")
    assert not document.is_catalog  # no workspace folder yet: relative to the working folder
    assert documents.set_folders([str(tmp_path), str(work)]) == [document]
    assert document.is_catalog and documents.glob_folder(document.path) == str(work)
    assert not open_file(documents, work / "x" / "teams" / "b.yaml").is_catalog
    assert documents.set_folders([]) == [document] and not document.is_catalog


async def test_the_index_tells_the_documents_its_folders(
    work: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    documents = new_documents()
    documents.set_overrides({"catalogGlobs": ["teams/*.yaml"]})
    document = open_file(documents, work / "teams" / "a.yaml")
    write(work / "teams" / "b.yaml", component("b"))
    republished: list[list[OpenDocument]] = []
    index = WorkspaceIndex(documents, lambda title: ProgressHandle(), republished.append)
    index.start([str(work)])
    assert document.is_catalog and document.uri in index.index
    assert republished == [[document]]
    while not index.ready:
        await asyncio.sleep(0.01)
    assert (work / "teams" / "b.yaml").as_uri() in index.index  # the index found it as the editor judges
