"""``catalogGlobs``: which paths the configured glob patterns name, with one meaning for every
command and for the language server.

The patterns are relative to the folder of the project file in force (the nearest
``.coder-catalog.yaml``); when there is none (globs given as overrides: flags, the editor's
settings), to the working folder: the one ``lint`` runs in, the editor's workspace folder. ``*`` and
``?`` match within one path segment, ``**`` any number of segments, ``[abc]``/``[!abc]`` are
character classes. Paths are plain strings with the platform's separators; patterns use ``/``.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

from coder_catalog.settings import Settings


def matches_globs(path: str, settings: Settings, *, cwd: str | os.PathLike[str] | None = None) -> bool:
    """Whether ``path`` (absolute, or relative to ``cwd``) matches the ``catalogGlobs`` of ``settings``:
    relative to the project file's folder, else to ``cwd`` (default: the process's working folder)."""
    if not settings.catalog_globs:
        return False
    working = os.fspath(cwd) if cwd is not None else os.getcwd()
    relative = relative_path(os.path.normpath(os.path.join(working, path)), glob_base(settings, working))
    return relative is not None and compile_globs(settings.catalog_globs).fullmatch(relative) is not None


def glob_base(settings: Settings, cwd: str | os.PathLike[str]) -> str:
    """The folder the ``catalogGlobs`` of ``settings`` are relative to: the project file's, else ``cwd``."""
    return os.path.dirname(settings.project_file) if settings.project_file else os.fspath(cwd)


def relative_path(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` with ``/`` separators; None when it is not below it."""
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :]
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


@lru_cache(maxsize=64)
def compile_globs(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for glob patterns on ``/``-separated relative paths: ``*`` and ``?`` stay in a
    path segment, ``**`` spans segments, ``[...]`` is a character class."""
    return re.compile("|".join(f"(?:{glob_regex(glob)})" for glob in globs))


def glob_regex(glob: str) -> str:
    pattern = glob.strip().removeprefix("./")
    out: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and "]" in pattern[index + 2 :]:
            end = pattern.index("]", index + 2)
            body = pattern[index + 1 : end]
            negate = body.startswith("!")
            out.append("[" + ("^" if negate else "") + re.escape(body[1:] if negate else body) + "]")
            index = end + 1
            continue
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)
