"""`make demo`: start the Coder simulator, use the CLI against it, stop it.

Everything runs on loopback; nothing outside this machine is contacted.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "coder_catalog"]


def banner(text: str) -> None:
    print(f"\n\033[1m== {text}\033[0m" if sys.stdout.isatty() else f"\n== {text}", flush=True)


def run(args: list[str], env: dict[str, str], expect: tuple[int, ...] = (0,)) -> None:
    print("$ coder-catalog " + " ".join(args), flush=True)
    result = subprocess.run([*CLI, *args], env=env, check=False, cwd=HERE.parent)
    if result.returncode not in expect:
        raise SystemExit(f"demo step failed with exit code {result.returncode}")


def main() -> int:
    banner("Starting the Coder simulator on loopback")
    simulator = subprocess.Popen(
        [*CLI, "simulator", "--port", "0"], stdout=subprocess.PIPE, text=True, env=os.environ.copy()
    )
    try:
        assert simulator.stdout is not None
        url = token = None
        while url is None or token is None:
            line = simulator.stdout.readline()
            if not line:
                raise SystemExit("the simulator stopped before it printed its URL")
            if match := re.search(r"listening on (\S+)", line):
                url = match.group(1)
                print(f"simulator: {url}")
            elif match := re.search(r"Session token for (\S+): (\S+)", line):
                token = match.group(2)
                print(f"signed in as {match.group(1)} (token kept in the environment, not shown)")
        env = {**os.environ, "CODER_URL": url, "CODER_SESSION_TOKEN": token}

        banner("The templates the deployment offers")
        run(["templates", "list", "--parameters"], env)

        banner("Linting the example catalog files against the deployment")
        run(["lint", "examples/catalog"], env, expect=(1,))

        banner("The same findings as SARIF for GitHub code scanning (first lines)")
        sarif = subprocess.run(
            [*CLI, "lint", "examples/catalog", "--format", "sarif"],
            env=env,
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=False,
        )
        print("\n".join(sarif.stdout.splitlines()[:12]) + "\n  ...")

        with tempfile.TemporaryDirectory() as folder:
            snapshot = str(Path(folder) / "coder-templates.json")
            banner("A snapshot for offline CI")
            run(["templates", "pull", "-o", snapshot], env)
            banner("The same list, read from the snapshot without network or token")
            offline = {k: v for k, v in env.items() if k not in ("CODER_URL", "CODER_SESSION_TOKEN")}
            run(["templates", "list", "--templates", snapshot], offline)
            banner("Linting a clean service offline from the snapshot, as a CI job would (exit 0)")
            run(["lint", "examples/catalog/services/payments", "--templates", snapshot], offline)
    finally:
        simulator.terminate()
        try:
            simulator.wait(timeout=10)
        except subprocess.TimeoutExpired:
            simulator.kill()
    banner("Simulator stopped. Demo finished.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
