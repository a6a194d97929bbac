"""Puts the language server and its dependencies, as wheels, into the extension's bundled/ folder.

    python scripts/fetch-wheels.py linux-x64      # a VS Code platform target (vsce --target)

bundled/wheels/ gets the coder-catalog wheel built from this repository and, for every CPython of
PYTHONS that has wheels for all of them, the wheels of its runtime dependencies for the target's
platform (pip download --only-binary=:all: --platform ... --python-version ...). bundled/pip/ gets a
pip wheel: the extension makes a virtual environment with ``python -m venv --without-pip`` (Debian's
python3 has no ensurepip without python3-venv) and runs that pip to install from bundled/wheels with
``--no-index``. bundled/manifest.json says which Python versions the wheels cover.

pip evaluates environment markers (``sys_platform == "win32"``) for the machine it runs on even with
--platform, so the marker environment of the target is put in pip's place before it runs (in the
same process): a Windows package gets pywin32-ctypes, not the Secret Service stack.

The dependency wheels of a target are kept in build/wheels/<target>/ (git-ignored) with a key of the
dependencies, the pythons and pip's version: a later build downloads nothing unless they changed. The
coder-catalog wheel is built every time (the server's code changes more often than its dependencies).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTENSION = HERE.parent
REPOSITORY = EXTENSION.parents[1]
BUNDLED = EXTENSION / "bundled"
CACHE = EXTENSION / "build" / "wheels"

PYTHONS = ["3.11", "3.12", "3.13", "3.14"]


def manylinux(arch: str) -> list[str]:
    # VS Code needs glibc 2.28 or later (since 1.86): every manylinux tag up to 2_28 fits.
    tags = [f"manylinux_2_{minor}_{arch}" for minor in range(28, 4, -1)]
    return [*tags, f"manylinux2014_{arch}", f"manylinux2010_{arch}", f"manylinux1_{arch}"]


# target -> (pip --platform tags, marker environment of the target)
TARGETS: dict[str, tuple[list[str], dict[str, str]]] = {
    "linux-x64": (
        manylinux("x86_64"),
        {
            "sys_platform": "linux",
            "platform_system": "Linux",
            "platform_machine": "x86_64",
            "os_name": "posix",
        },
    ),
    "linux-arm64": (
        manylinux("aarch64"),
        {
            "sys_platform": "linux",
            "platform_system": "Linux",
            "platform_machine": "aarch64",
            "os_name": "posix",
        },
    ),
    "darwin-x64": (
        ["macosx_14_0_x86_64"],  # pip adds the older macOS versions and universal2
        {
            "sys_platform": "darwin",
            "platform_system": "Darwin",
            "platform_machine": "x86_64",
            "os_name": "posix",
        },
    ),
    "darwin-arm64": (
        ["macosx_14_0_arm64"],
        {
            "sys_platform": "darwin",
            "platform_system": "Darwin",
            "platform_machine": "arm64",
            "os_name": "posix",
        },
    ),
    "win32-x64": (
        ["win_amd64"],
        {"sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64", "os_name": "nt"},
    ),
}

# Runs pip in a child process with the target's marker environment in place of the host's.
PIP_WITH_MARKERS = """
import json, sys
from pip._vendor.packaging import markers
environment = json.loads(sys.argv[1])
host = markers.default_environment
markers.default_environment = lambda: {**host(), **environment}
from pip._internal.cli.main import main
sys.exit(main(sys.argv[2:]))
"""


def log(message: str) -> None:
    print(f"fetch-wheels: {message}", flush=True)


def pip(args: list[str], environment: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable]
    if environment is None:
        command += ["-m", "pip"]
    else:
        command += ["-c", PIP_WITH_MARKERS, json.dumps(environment)]
    return subprocess.run(
        [*command, *args, "--disable-pip-version-check", "--quiet"], capture_output=True, text=True
    )


def runtime_dependencies() -> list[str]:
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    return list(project["project"]["dependencies"])


def build_server_wheel(out: Path) -> Path:
    done = pip(["wheel", "--no-deps", "--wheel-dir", str(out), str(REPOSITORY)])
    if done.returncode != 0:
        sys.exit(f"fetch-wheels: building the coder-catalog wheel failed:\n{done.stdout}{done.stderr}")
    (wheel,) = out.glob("coder_catalog-*.whl")
    return wheel


def dependency_wheels(target: str, dependencies: list[str]) -> tuple[Path, list[str]]:
    """The target's dependency wheels (cached), and the Python versions they cover."""
    platforms, markers = TARGETS[target]
    pip_version = pip(["--version"]).stdout.split()[1]
    key = hashlib.sha256(json.dumps([dependencies, PYTHONS, platforms, pip_version]).encode()).hexdigest()
    folder = CACHE / target
    stamp = folder / "key.json"
    if stamp.exists():
        saved = json.loads(stamp.read_text(encoding="utf-8"))
        if saved.get("key") == key:
            log(f"{target}: dependency wheels up to date ({', '.join(saved['pythons'])})")
            return folder / "wheels", saved["pythons"]
    shutil.rmtree(folder, ignore_errors=True)
    wheels = folder / "wheels"
    wheels.mkdir(parents=True)
    pythons: list[str] = []
    for version in PYTHONS:
        environment = {
            **markers,
            "python_version": version,
            "python_full_version": f"{version}.0",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
        }
        with tempfile.TemporaryDirectory() as scratch:
            args = ["download", "--only-binary=:all:", "--dest", scratch, "--python-version", version]
            args += ["--implementation", "cp", "--abi", f"cp{version.replace('.', '')}", "--abi", "abi3"]
            args += ["--abi", "none"]
            for platform in platforms:
                args += ["--platform", platform]
            args += ["--platform", "any"]
            done = pip([*args, *dependencies], environment)
            if done.returncode != 0:
                last = (done.stderr.strip().splitlines() or ["?"])[-1]
                log(f"{target}: no wheels for CPython {version} ({last}): left out")
                continue
            for wheel in Path(scratch).glob("*.whl"):
                shutil.copy2(wheel, wheels / wheel.name)
        pythons.append(version)
        log(f"{target}: CPython {version}: wheels fetched")
    if not pythons:
        sys.exit(f"fetch-wheels: {target}: no Python version has wheels for every dependency")
    stamp.write_text(json.dumps({"key": key, "pythons": pythons}), encoding="utf-8")
    return wheels, pythons


def pip_wheel(folder: Path) -> Path:
    pip_folder = folder / "pip"
    found = sorted(pip_folder.glob("pip-*.whl")) if pip_folder.exists() else []
    if found:
        return found[-1]
    pip_folder.mkdir(parents=True, exist_ok=True)
    done = pip(["download", "--only-binary=:all:", "--no-deps", "--dest", str(pip_folder), "pip"])
    if done.returncode != 0:
        sys.exit(f"fetch-wheels: downloading pip failed:\n{done.stderr}")
    return sorted(pip_folder.glob("pip-*.whl"))[-1]


def main() -> None:
    if len(sys.argv) != 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: fetch-wheels.py {{{','.join(TARGETS)}}}")
    target = sys.argv[1]
    dependencies = runtime_dependencies()
    deps, pythons = dependency_wheels(target, dependencies)
    pip_file = pip_wheel(CACHE)

    shutil.rmtree(BUNDLED, ignore_errors=True)
    (BUNDLED / "wheels").mkdir(parents=True)
    (BUNDLED / "pip").mkdir()
    for wheel in deps.glob("*.whl"):
        shutil.copy2(wheel, BUNDLED / "wheels" / wheel.name)
    server = build_server_wheel(BUNDLED / "wheels")
    shutil.copy2(pip_file, BUNDLED / "pip" / pip_file.name)
    version = server.name.split("-")[1]
    manifest = {
        "target": target,
        "server": version,
        "pythons": pythons,
        "pip": pip_file.name,
        "requirement": f"coder-catalog=={version}",
    }
    (BUNDLED / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    count = len(list((BUNDLED / "wheels").glob("*.whl")))
    log(f"{target}: bundled/ has {count} wheels for CPython {', '.join(pythons)} (coder-catalog {version})")


if __name__ == "__main__":
    main()
