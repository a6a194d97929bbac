"""The workspace index in process (``lsp.workspace_index``): what keeps it current, and failures."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from coder_catalog.catalog_files.locations import location_target_paths
from coder_catalog.lsp import workspace_index
from coder_catalog.lsp.deployments import ProgressHandle, TemplateProviders
from coder_catalog.lsp.documents import CatalogDocuments, OpenDocument
from coder_catalog.lsp.workspace_index import WorkspaceIndex, uri_of

GROUP = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata:\n  name: {name}\nspec:\n  type: team\n"


def _index() -> tuple[WorkspaceIndex, list[list[OpenDocument]]]:
    documents = CatalogDocuments(
        TemplateProviders(lambda p: None, lambda k, m: None, lambda t: ProgressHandle())
    )
    republished: list[list[OpenDocument]] = []
    return WorkspaceIndex(documents, lambda title: ProgressHandle(), republished.append), republished


async def _ready(index: WorkspaceIndex) -> None:
    while not index.ready:
        await asyncio.sleep(0.01)


@pytest.mark.asyncio
async def test_a_location_cycle_and_a_missing_target_end(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: root\n"
        "spec:\n  targets: [./teams.yaml, ./missing.yaml, ./catalog-info.yaml]\n",
        encoding="utf-8",
    )
    (tmp_path / "teams.yaml").write_text(
        GROUP.format(name="a") + "---\napiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n"
        "  name: back\nspec:\n  target: ./catalog-info.yaml\n",
        encoding="utf-8",
    )
    index, _ = _index()
    index.start([str(tmp_path)])
    await asyncio.wait_for(_ready(index), 10)
    assert sorted(Path(u.removeprefix("file://")).name for u in index.index.uris) == [
        "catalog-info.yaml",
        "teams.yaml",
    ]


@pytest.mark.asyncio
async def test_a_failed_update_is_logged_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "catalog-info.yaml").write_text(GROUP.format(name="a"), encoding="utf-8")
    index, _ = _index()
    index.start([str(tmp_path)])
    await asyncio.wait_for(_ready(index), 10)
    before = list(index.index.entities())

    def broken(paths: list[str]) -> list[workspace_index.Read]:
        raise OSError("the disk went away")

    monkeypatch.setattr(workspace_index, "read_and_index", broken)
    with caplog.at_level(logging.ERROR, logger="coder_catalog.lsp.workspace_index"):
        index.files_changed([str(tmp_path / "catalog-info.yaml")], [])
        for _ in range(100):
            if "updating the catalog index failed" in caplog.text:
                break
            await asyncio.sleep(0.01)
    assert "updating the catalog index failed" in caplog.text
    assert list(index.index.entities()) == before


def test_location_targets_outside_the_disk_are_left_alone(tmp_path: Path) -> None:
    from coder_catalog.analysis.catalog_index import index_file

    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: x\nspec:\n  targets:\n"
        "    - https://github.com/acme/x/blob/main/catalog-info.yaml\n    - ./nothing/*.yaml\n    - ./a.yaml\n"
    )
    (tmp_path / "a.yaml").write_text(GROUP.format(name="a"), encoding="utf-8")
    indexed = index_file(uri_of(str(tmp_path / "root.yaml")), text)
    assert location_target_paths(indexed) == [str(tmp_path / "a.yaml")]


@pytest.mark.asyncio
async def test_changed_catalog_globs_search_the_folders_again(tmp_path: Path) -> None:
    (tmp_path / "catalog-info.yaml").write_text(GROUP.format(name="a"), encoding="utf-8")
    (tmp_path / "services").mkdir()
    (tmp_path / "services" / "b.yaml").write_text(GROUP.format(name="b"), encoding="utf-8")
    index, _ = _index()
    index.start([str(tmp_path)])
    await asyncio.wait_for(_ready(index), 10)
    names = lambda: sorted(e.name for e in index.index.entities())  # noqa: E731
    assert names() == ["a"]

    async def settled(expected: list[str]) -> None:
        for _ in range(200):
            if names() == expected:
                return
            await asyncio.sleep(0.01)
        raise AssertionError(f"{names()} != {expected}")

    index.documents.set_overrides({"catalogGlobs": ["services/*.yaml"]})
    index.settings_changed()
    await settled(["a", "b"])
    index.documents.set_overrides({})
    index.settings_changed()
    await settled(["a"])


@pytest.mark.asyncio
async def test_the_rest_of_the_catalog_is_indexed_from_references_catalog(tmp_path: Path) -> None:
    repo, org = tmp_path / "service", tmp_path / "org-catalog"
    (repo / ".git").mkdir(parents=True)
    (repo / ".coder-catalog.yaml").write_text(f"references:\n  catalog: [{org}]\n", encoding="utf-8")
    (repo / "catalog-info.yaml").write_text(GROUP.format(name="a"), encoding="utf-8")
    (org / "teams").mkdir(parents=True)
    (org / "teams" / "catalog-info.yaml").write_text(GROUP.format(name="b"), encoding="utf-8")
    index, _ = _index()
    index.start([str(repo)])
    await asyncio.wait_for(_ready(index), 10)
    assert sorted(e.name for e in index.index.entities()) == ["a", "b"]
