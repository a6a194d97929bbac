"""Where Backstage reads a repository's catalog files from, from the repository's own git files, and the
source-location it writes at ingestion for a file that sets none. Real git repositories, made with git."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from tests.conftest import MISSING_TOOL

from coder_catalog.settings import ingestion_location, resolve_settings
from coder_catalog.settings.git_repository import https_url, ingestion_source_location, read_git_remote

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason=f"{MISSING_TOOL}git is not installed")


def git(*args: str, cwd: Path) -> str:
    assert GIT is not None
    env = {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_SYSTEM": "/dev/null",
        "HOME": str(cwd),
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run([GIT, *args], cwd=cwd, capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip()


@pytest.mark.parametrize(
    ("remote", "url"),
    [
        ("git@github.com:acme/platform.git", "https://github.com/acme/platform"),
        ("https://github.com/acme/platform.git", "https://github.com/acme/platform"),
        ("https://x-access-token:SECRET@github.com/acme/platform", "https://github.com/acme/platform"),
        ("ssh://git@gitlab.example.com:2222/group/sub/repo.git", "https://gitlab.example.com/group/sub/repo"),
        ("https://GitHub.com/Acme/Platform/", "https://github.com/Acme/Platform"),
        ("http://git.example.com:8080/r.git", "https://git.example.com:8080/r"),
        ("/srv/git/platform.git", None),
        ("file:///srv/git/platform.git", None),
        ("../platform", None),
    ],
)
def test_a_remote_as_an_https_url_without_credentials(remote: str, url: str | None) -> None:
    assert https_url(remote) == url


@pytest.mark.parametrize(
    ("repository", "branch", "folder", "location"),
    [
        ("https://github.com/acme/platform", "main", "", "url:https://github.com/acme/platform/tree/main/"),
        (
            "https://github.com/acme/platform",
            "main",
            "services/api",
            "url:https://github.com/acme/platform/tree/main/services/api/",
        ),
        (
            "https://gitlab.com/group/repo",
            "main",
            "svc",
            "url:https://gitlab.com/group/repo/-/blob/main/svc/",
        ),
        ("https://bitbucket.org/ws/repo", "main", "", "url:https://bitbucket.org/ws/repo/src/main/"),
        (
            "https://github.com/acme/platform",
            "feature/x",
            "my service",
            "url:https://github.com/acme/platform/tree/feature/x/my%20service/",
        ),
    ],
)
def test_the_source_location_backstage_writes(
    repository: str, branch: str, folder: str, location: str
) -> None:
    assert ingestion_source_location(repository, branch, folder) == location


@needs_git
def test_a_clone_gives_its_remote_and_default_branch(tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    origin.mkdir()
    git("init", "-q", "--bare", "-b", "trunk", cwd=origin)
    work = tmp_path / "work"
    work.mkdir()
    git("init", "-q", "-b", "trunk", cwd=work)
    (work / "README.md").write_text("x\n")
    git("add", ".", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x", cwd=work)
    git("push", "-q", str(origin), "trunk", cwd=work)
    clone = tmp_path / "clone"
    git("clone", "-q", str(origin), str(clone), cwd=tmp_path)
    git("remote", "set-url", "origin", "git@github.com:acme/platform.git", cwd=clone)
    git("checkout", "-q", "-b", "topic", cwd=clone)  # the default branch wins over the one checked out
    remote = read_git_remote(clone)
    assert (remote.url, remote.branch) == ("https://github.com/acme/platform", "trunk")


@needs_git
def test_without_a_remote_head_the_branch_checked_out_and_a_worktree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    git("remote", "add", "origin", "https://github.com/acme/platform.git", cwd=repo)
    assert (read_git_remote(repo).url, read_git_remote(repo).branch) == (
        "https://github.com/acme/platform",
        "main",
    )
    (repo / "f").write_text("x\n")
    git("add", ".", cwd=repo)
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "x", cwd=repo)
    tree = tmp_path / "tree"
    git("worktree", "add", "-q", "-b", "wt", str(tree), cwd=repo)  # .git is a file pointing elsewhere
    remote = read_git_remote(tree)
    assert (remote.url, remote.branch) == ("https://github.com/acme/platform", "wt")


@needs_git
def test_settings_take_the_repository_from_git_unless_set(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "services" / "api").mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=repo)
    git("remote", "add", "origin", "git@github.com:acme/platform.git", cwd=repo)
    catalog = repo / "services" / "api" / "catalog-info.yaml"
    settings = resolve_settings(catalog, env={})
    assert (settings.repository_url, settings.repository_branch) == (
        "https://github.com/acme/platform",
        "main",
    )
    assert settings.origin("repository.url") is not None and settings.origin("repository.url").source == "git"  # type: ignore[union-attr]
    assert (
        ingestion_location(settings, str(catalog))
        == "url:https://github.com/acme/platform/tree/main/services/api/"
    )
    (repo / ".coder-catalog.yaml").write_text(
        "repository:\n  url: https://github.example.com/acme/platform\n  branch: release\n"
    )
    settings = resolve_settings(catalog, env={})
    assert ingestion_location(settings, str(catalog)) == (
        "url:https://github.example.com/acme/platform/tree/release/services/api/"
    )
    assert ingestion_location(settings, str(tmp_path / "elsewhere" / "catalog-info.yaml")) is None
