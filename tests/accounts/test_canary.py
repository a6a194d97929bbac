"""A planted token must not show up anywhere: command output, reports, logs, exceptions, tracebacks."""

from __future__ import annotations

import asyncio
import logging
import pickle
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend

from account_support import OSKeyring, subprocess_env
from coder_catalog.accounts.credentials import Credential, Secret
from coder_catalog.accounts.errors import AccountError, StoreFailed
from coder_catalog.accounts.linking import link_token, parse_token
from coder_catalog.accounts.store import KeyringStore, LinkedAccount
from coder_catalog.cli import main
from coder_catalog.coder.client import CoderClient
from coder_catalog.coder.errors import CoderError
from coder_catalog.simulator.server import SimulatorServer

CATALOG = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: svc
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: docker
"""


def variants(token: str) -> list[str]:
    """The token and its secret part (a log could cut the id off)."""
    return [token, token.split("-", 1)[1]]


def assert_absent(token: str, *texts: str) -> None:
    for text in texts:
        for variant in variants(token):
            assert variant not in text


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    work = tmp_path / "work"
    (work / ".git").mkdir(parents=True)
    (work / "catalog-info.yaml").write_text(CATALOG)
    monkeypatch.chdir(work)
    return work


def test_cli_output_and_reports_never_show_the_token(
    os_keyring: OSKeyring,
    simulator: SimulatorServer,
    canary: str,
    repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CODER_SESSION_TOKEN", canary)
    url = simulator.url
    runs: list[tuple[list[str], int]] = [
        (["templates", "list", "--url", url], 1),
        (["whoami", url], 1),
        (["config", "--url", url, "--json"], 0),
        (["lint", "--url", url, "--format", "json", "--require-deployment"], 3),
        (["lint", "--url", url, "--format", "sarif", "-o", str(repo / "report.sarif")], 0),
        (["lint", "--url", url, "--format", "text"], 0),
    ]
    outputs = []
    for args, expected in runs:
        assert main(args) == expected, args
        captured = capsys.readouterr()
        outputs += [captured.out, captured.err]
    outputs.append((repo / "report.sarif").read_text())
    assert any("401" in text or "rejected" in text for text in outputs)  # it was used, and refused
    monkeypatch.delenv("CODER_SESSION_TOKEN")
    monkeypatch.setattr(sys, "stdin", _Lines(canary + "\n"))
    assert main(["login", url, "--token-stdin"]) == 1
    monkeypatch.setattr(sys, "stdin", _Lines(canary + "!\n"))
    assert main(["login", url, "--token-stdin"]) == 2
    captured = capsys.readouterr()
    outputs += [captured.out, captured.err, caplog.text]
    assert_absent(canary, *outputs)


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text

    def readline(self) -> str:
        text, self.text = self.text, ""
        return text


def test_a_subprocess_with_debug_logging_never_shows_the_token(
    os_keyring: OSKeyring, simulator: SimulatorServer, canary: str, repo: Path
) -> None:
    env = subprocess_env({"CODER_SESSION_TOKEN": canary})
    command = [sys.executable, "-m", "coder_catalog"]
    whoami = subprocess.run(
        [*command, "whoami", simulator.url], env=env, capture_output=True, text=True, timeout=60
    )
    assert whoami.returncode == 1 and "rejected" in whoami.stderr
    login = subprocess.run(
        [*command, "login", simulator.url, "--token-stdin"],
        env={k: v for k, v in env.items() if k != "CODER_SESSION_TOKEN"},
        input=canary + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert login.returncode == 1 and "rejected the token" in login.stderr
    assert_absent(canary, whoami.stdout, whoami.stderr, login.stdout, login.stderr)


def test_exceptions_and_tracebacks_never_show_the_token(
    os_keyring: OSKeyring, simulator: SimulatorServer, canary: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    failures: list[BaseException] = []
    for call in (
        lambda: parse_token(canary + "?", simulator.url),
        lambda: asyncio.run(link_token(simulator.url, canary)),
        lambda: asyncio.run(_me(simulator.url, canary)),
    ):
        with pytest.raises((AccountError, CoderError)) as caught:
            call()
        failures.append(caught.value)
    texts = [str(f) for f in failures] + ["".join(traceback.format_exception(f)) for f in failures]
    credential = Credential(simulator.url, Secret(canary), "test")
    texts += [
        repr(credential),
        str(credential),
        f"{credential.token}",
        repr(LinkedAccount(simulator.url, Secret(canary))),
    ]
    assert_absent(canary, *texts, caplog.text)
    with pytest.raises(TypeError):
        pickle.dumps(credential)


async def _me(url: str, token: str) -> Any:
    async with CoderClient(url, Credential(url, Secret(token), "test")) as client:
        return await client.me()


class _LeakyKeyring(KeyringBackend):
    """A backend whose errors repeat what it was given (some do)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password}")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("nothing")


def test_a_failing_keyring_does_not_leak_the_token(canary: str) -> None:
    store = KeyringStore(_LeakyKeyring())
    with pytest.raises(StoreFailed) as failed:
        store.save(LinkedAccount("https://coder.example.com", Secret(canary)))
    assert_absent(canary, str(failed.value), "".join(traceback.format_exception(failed.value)))
