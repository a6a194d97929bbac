"""``coder-catalog ... | head``: every subcommand that writes to stdout stops quietly when the reader
has gone, with exit code 141 and no traceback (handled once, in ``coder_catalog.cli.main``).

Each command runs as a real process whose stdout is a pipe with its read end already closed, so
its first write to stdout fails whatever the size of its output; one test also reads a first line
and then closes the pipe, as ``head -1`` does, on an output larger than a pipe's buffer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from lint_helpers import FIXTURE, component

from coder_catalog.cli import EXIT_CLOSED_PIPE
from coder_catalog.simulator.server import SimulatorServer
from workspace_seed import entity

CLI = [sys.executable, "-m", "coder_catalog"]
NOISE = ("Traceback", "BrokenPipeError", "Exception ignored")


@pytest.fixture
def work(tmp_path: Path) -> Path:
    """A repository with the lint fixture tree and an entity whose workspaces the simulator knows."""
    root = tmp_path / "work"
    (root / ".git").mkdir(parents=True)
    for path in FIXTURE.rglob("*"):
        if path.is_file():
            target = root / "lint" / path.relative_to(FIXTURE)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    (root / "workspaces").mkdir()
    (root / "workspaces" / "catalog-info.yaml").write_text(entity())
    (root / "workspaces" / ".coder-catalog.yaml").write_text("workspaces:\n  repoUrlParamKeys: [repo_url]\n")
    return root


@pytest.fixture
def env(simulator: SimulatorServer, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The machine's environment without its Coder settings, pointed at the simulator; stdout
    block-buffered, as in a shell (then --help reaches the pipe only at the final flush)."""
    unwanted = ("NO_COLOR", "PYTHONUNBUFFERED")
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CODER_") and k not in unwanted}
    clean.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "home" / ".config"),
        CODER_URL=simulator.url,
        CODER_SESSION_TOKEN=simulator.token,
    )
    yield clean


def run_into_a_closed_pipe(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run the command with stdout a pipe nobody reads any more; its exit code and stderr."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [*CLI, *args], stdout=write_end, stderr=subprocess.PIPE, env=env, cwd=cwd, text=True, timeout=60
        )
    finally:
        os.close(write_end)
    return done.returncode, done.stderr


COMMANDS = {
    "lint": ["lint", "--offline", "lint"],
    "lint --format json": ["lint", "--offline", "--format", "json", "lint"],
    "lint --format sarif": ["lint", "--offline", "--format", "sarif", "lint"],
    "lint --format github": ["lint", "--offline", "--format", "github", "lint"],
    "lint --diff": ["lint", "--offline", "--diff", "lint"],
    "lint (deployment)": ["lint", "lint"],
    "templates list": ["templates", "list"],
    "templates list --parameters": ["templates", "list", "--parameters"],
    "templates list --json": ["templates", "list", "--json"],
    "templates pull": ["templates", "pull", "-o", "snapshot.json"],
    "config": ["config"],
    "config --json": ["config", "--json"],
    "workspaces": ["workspaces", "workspaces"],
    "workspaces --json": ["workspaces", "--json", "workspaces"],
    "open --print": ["open", "python-project", "--file", "workspaces/catalog-info.yaml", "--print"],
    "whoami": ["whoami"],
    "simulator": ["simulator", "--port", "0"],
    "--help": ["--help"],
    "lint --help": ["lint", "--help"],
    "--version": ["--version"],
}


@pytest.mark.parametrize("args", COMMANDS.values(), ids=COMMANDS.keys())
def test_a_closed_stdout_ends_the_command_quietly(args: list[str], env: dict[str, str], work: Path) -> None:
    code, err = run_into_a_closed_pipe(args, env, work)
    assert not any(word in err for word in NOISE), err
    assert code == EXIT_CLOSED_PIPE, err


def test_head_1_on_a_long_lint_report(env: dict[str, str], tmp_path: Path) -> None:
    """More output than a pipe holds (about 400 findings), and a reader that stops after one line."""
    root = tmp_path / "many"
    bad = component("svc", "templateName: docker\nmode: Auto\nparams:\n  cpu: 4")
    for number in range(200):
        folder = root / f"s{number:03}"
        folder.mkdir(parents=True)
        (folder / "catalog-info.yaml").write_text(bad)
    process = subprocess.Popen(
        [*CLI, "lint", "--offline"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=root,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=60) == EXIT_CLOSED_PIPE, err  # not 1: it did not get to the end
    assert first.startswith("s000/catalog-info.yaml:") and "CC105" in first
    assert not any(word in err for word in NOISE), err
