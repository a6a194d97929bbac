"""Run the Coder plugin's reading of ``spec.coder`` (plugin_oracle.mjs, one node process) and
coder-catalog's (its analysis core, in-process) on a corpus, and compare them field by field.

For each case both sides give a :class:`Reading`: ``rejected`` (the message the plugin's error
boundary posts when ``compileCoderConfig`` throws; None when it does not), the creation URL, the
cleaned repository URL, the compiled params (ordered as a JavaScript object orders its keys), the mode
and the template name. When either side rejects the block, only ``rejected`` is compared: the card
then shows none of the rest.

coder-catalog's side is ``effective_coder(entity, settings)`` with the case's app config as
:class:`~coder_catalog.settings.Settings`, read through the EffectiveCoder interface: ``.rejected``
(read with getattr: None when the attribute does not exist), ``.create_link(access_url)``,
``.repository.url``, ``.mode``, ``.template_name`` and ``.params`` (name -> ParamValue with ``.value``).
An exception there is a disagreement of the case (field ``crash``), not a crash of the test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from differential_support import NODE_MODULES, missing_tool
from plugin_corpus import App, PluginCase

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.effective import effective_coder
from coder_catalog.analysis.entity import entity_of
from coder_catalog.settings import FrozenMap, Settings, WorkspaceDefaults

HERE = Path(__file__).resolve().parent
ORACLE = HERE / "plugin_oracle.mjs"
PLUGIN_PACKAGES = ("valibot",)
FIELDS = ("rejected", "creationUrl", "repoUrl", "params", "mode", "templateName")
REPORT_VARIABLE = "CODER_CATALOG_PLUGIN_DIFFERENTIAL_REPORT"
SHOWN = 50  # causes shown in the failure message


def missing_plugin_tool() -> str | None:
    """Why plugin_oracle.mjs cannot run here (None: it can): node and the packages of the Backstage
    differential test, and valibot, at their pinned versions."""
    missing = missing_tool()
    if missing is not None:
        return missing
    pinned = json.loads((HERE / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for name in PLUGIN_PACKAGES:
        installed = NODE_MODULES / name / "package.json"
        if not installed.is_file():
            return (
                f"{name} is not installed in tests/differential/node_modules (run `make differential-deps`)"
            )
        version = json.loads(installed.read_text(encoding="utf-8"))["version"]
        if version != pinned[name]:
            return (
                f"{name} {version} is installed, {pinned[name]} is pinned (run npm ci in tests/differential)"
            )
    return None


@dataclass(frozen=True)
class Reading:
    """One side's reading of a case."""

    case_id: str
    rejected: str | None
    creation_url: str | None = None
    repo_url: str | None = None
    params: tuple[tuple[str, str], ...] | None = None
    mode: str | None = None
    template_name: str | None = None
    # the plugin: what threw (valibot or TypeError) and valibot's nested issues, for the report
    rejected_by: str | None = None
    issues: tuple[str, ...] = ()
    # a failure to read the case at all (the plugin: yaml's; coder-catalog: no entity, or a crash)
    error: str | None = None

    def value(self, name: str) -> Any:
        return {
            "rejected": self.rejected,
            "creationUrl": self.creation_url,
            "repoUrl": self.repo_url,
            "params": self.params,
            "mode": self.mode,
            "templateName": self.template_name,
        }[name]


@dataclass
class PluginRun:
    versions: dict[str, str]
    readings: list[Reading]


def run_plugin_oracle(cases: list[PluginCase]) -> PluginRun:
    node = shutil.which("node")
    assert node is not None
    completed = subprocess.run(
        [node, str(ORACLE)],
        input=json.dumps([c.to_json() for c in cases], ensure_ascii=False),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=HERE,
        check=False,
        timeout=120,
    )
    if completed.returncode != 0:
        raise AssertionError(
            f"plugin_oracle.mjs failed ({completed.returncode}):\n{completed.stderr[-4000:]}"
        )
    answer = json.loads(completed.stdout)
    readings = []
    for row in answer["results"]:
        params = row.get("params")
        readings.append(
            Reading(
                row["id"],
                row["rejected"],
                row.get("creationUrl"),
                row.get("repoUrl"),
                tuple((k, v) for k, v in params) if params is not None else None,
                row.get("mode"),
                row.get("templateName"),
                rejected_by=row.get("rejectedBy"),
                issues=tuple(row.get("issues", ())),
                error=row.get("entityError"),
            )
        )
    return PluginRun(answer["versions"], readings)


def settings_of(app: App) -> Settings:
    """The case's app config as coder-catalog's settings (the access URL as written)."""
    return Settings(
        access_url=app.access_url,
        workspaces=WorkspaceDefaults(
            default_template_name=app.default_template_name,
            default_mode=app.default_mode,  # type: ignore[arg-type]
            params=FrozenMap(app.params or ()),
            repo_url_param_keys=app.repo_url_param_keys,
        ),
    )


def coder_catalog_reading(case: PluginCase, parser: Analyzer) -> Reading:
    """coder-catalog's reading of the case's (first) document."""
    segments = parser.segments(case.text)
    parsed = parser.parses.parse(segments[0].text).parsed if segments else None
    entity = entity_of(parsed.root if parsed is not None else None)
    if entity is None:
        return Reading(case.id, None, error="coder-catalog reads no entity")
    try:
        effective = effective_coder(entity, settings_of(case.app))
        rejected = getattr(effective, "rejected", None)
        return Reading(
            case.id,
            rejected,
            effective.create_link(case.app.access_url),
            effective.repository.url,
            tuple((name, param.value) for name, param in effective.params.items()),
            effective.mode,
            effective.template_name,
        )
    except Exception as error:  # a crash is a disagreement of this case, reported with the others
        return Reading(case.id, None, error=f"{type(error).__name__}: {error}")


def run_coder_catalog(cases: Iterable[PluginCase]) -> list[Reading]:
    parser = Analyzer(Settings(access_url=None, workspaces=WorkspaceDefaults()))
    return [coder_catalog_reading(case, parser) for case in cases]


# -- comparing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Disagreement:
    case_id: str
    field: str
    plugin: Any
    ours: Any
    cause: str
    note: str = ""  # the plugin's nested valibot issues, when it rejected


@dataclass
class PluginComparison:
    cases: int = 0
    agree: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def disagree(self) -> int:
        return len({d.case_id for d in self.disagreements})


def compare_readings(plugin: list[Reading], ours: list[Reading]) -> PluginComparison:
    result = PluginComparison()
    mine = {r.case_id: r for r in ours}
    for theirs in plugin:
        result.cases += 1
        found = compare_case(theirs, mine[theirs.case_id])
        result.disagreements.extend(found)
        if not found:
            result.agree += 1
    return result


def compare_case(plugin: Reading, ours: Reading) -> list[Disagreement]:
    if ours.error is not None:
        return [Disagreement(plugin.case_id, "crash", None, ours.error, f"crash: {_category(ours.error)}")]
    fields = ("rejected",) if plugin.rejected is not None or ours.rejected is not None else FIELDS
    out = []
    for name in fields:
        theirs, mine = plugin.value(name), ours.value(name)
        if theirs != mine:
            note = "; ".join(plugin.issues) if name == "rejected" else ""
            out.append(
                Disagreement(plugin.case_id, name, theirs, mine, cause(name, plugin, theirs, mine), note)
            )
    return out


def _category(error: str) -> str:
    return re.sub(r"'[^']*'|\"[^\"]*\"|\d+", "…", error)[:100]


# -- causes: what a disagreement is about, without the case's values --------------------------------


def cause(name: str, plugin: Reading, theirs: Any, mine: Any) -> str:
    if name == "rejected":
        return _rejected_cause(plugin, theirs, mine)
    if name == "creationUrl":
        return _link_cause(theirs, mine)
    if name == "params":
        return _params_cause(theirs, mine)
    if name == "repoUrl":
        return _repo_cause(theirs, mine)
    return f"{name}: plugin {_kind(theirs)}, coder-catalog {_kind(mine)}"


def _kind(value: Any) -> str:
    if value is None:
        return "none"
    if value == "":
        return "empty"
    return repr(value) if isinstance(value, str) and len(value) <= 12 else type(value).__name__


def _rejected_cause(plugin: Reading, theirs: str | None, mine: str | None) -> str:
    if theirs is not None and mine is None:
        if plugin.rejected_by != "valibot":
            return (
                f"rejected: plugin throws ({plugin.rejected_by}: {_category(theirs)}), coder-catalog accepts"
            )
        return f"rejected: plugin rejects {_issue_fields(plugin.issues)}, coder-catalog accepts"
    if theirs is None:
        return "rejected: coder-catalog rejects, the plugin accepts"
    return "rejected: both reject, with other messages"


def _issue_fields(issues: tuple[str, ...]) -> str:
    """Which part of spec.coder valibot refused, and what it received, from its nested issues."""
    parts = []
    for issue in issues:
        path, _, message = issue.partition(": ")
        if path == "(root)" and "Expected undefined but received Object" in message:
            continue  # the union's other branch: every object fails it
        head = path.split(".")[0]
        if head == "(root)":
            head = "spec.coder"
        elif head == "params" and "." in path:
            head = "a params value"
        parts.append(f"{head} ({_received(message)})")
    return ", ".join(dict.fromkeys(parts)) or "?"


def _received(message: str) -> str:
    if " but received " not in message:
        return "not a mapping"  # record()'s own message
    received = message.rpartition(" but received ")[2]
    if received == "null":
        return "null"
    if received.startswith('"'):
        return "a string"
    if received in ("true", "false"):
        return "a boolean"
    if re.fullmatch(r"-?[\d.e+]+|Infinity|NaN", received):
        return "a number"
    return received.lower()


_ESCAPE = re.compile(r"(?:%[0-9A-Fa-f]{2})+|.", re.DOTALL)


def _units(text: str, plus_is_space: bool) -> list[tuple[str, str]]:
    """(decoded text, as written) for each character or run of percent-escapes."""
    out: list[tuple[str, str]] = []
    for match in _ESCAPE.finditer(text):
        raw = match.group()
        if raw.startswith("%"):
            decoded = unquote(raw, errors="strict") if _utf8(raw) else raw
            out.extend((ch, raw if len(decoded) == 1 else f"%…{ch}") for ch in decoded)
        else:
            out.append((" " if plus_is_space and raw == "+" else raw, raw))
    return out


def _utf8(raw: str) -> bool:
    try:
        bytes.fromhex(raw.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _encoding_differences(a: str, b: str, plus_is_space: bool) -> str | None:
    """The characters written differently when both decode to the same text (None: they do not)."""
    ua, ub = _units(a, plus_is_space), _units(b, plus_is_space)
    if [d for d, _ in ua] != [d for d, _ in ub]:
        return None
    chars = sorted({d for (d, ra), (_, rb) in zip(ua, ub, strict=True) if ra != rb})
    return " ".join(repr(c)[1:-1] if c.strip() else repr(c) for c in chars)


def _link_cause(theirs: str | None, mine: str | None) -> str:
    if theirs is None or mine is None:
        return f"creationUrl: plugin {_link(theirs)}, coder-catalog {_link(mine)}"
    causes = []
    base_a, _, query_a = theirs.partition("?")
    base_b, _, query_b = mine.partition("?")
    access_a, _, template_a = base_a.partition("/templates/")
    access_b, _, template_b = base_b.partition("/templates/")
    if access_a != access_b:
        if access_a.rstrip("/") == access_b.rstrip("/"):
            causes.append("the access URL's trailing slash (the plugin keeps it: '//templates')")
        else:
            causes.append("the access URL differs")
    if template_a != template_b:
        chars = _encoding_differences(template_a, template_b, plus_is_space=False)
        causes.append(
            f"template name encoded differently ({chars})" if chars else "the template name differs"
        )
    if query_a != query_b:
        pairs_a = [tuple(p.partition("=")[::2]) for p in query_a.split("&")]
        pairs_b = [tuple(p.partition("=")[::2]) for p in query_b.split("&")]
        chars = _encoding_differences(query_a, query_b, plus_is_space=True)
        if chars:
            causes.append(f"query encoded differently ({chars})")
        else:
            decoded_a = [(_form(k), _form(v)) for k, v in pairs_a]
            decoded_b = [(_form(k), _form(v)) for k, v in pairs_b]
            if decoded_a == decoded_b:
                causes.append("query written differently")
            elif sorted(decoded_a) == sorted(decoded_b):
                causes.append("query parameters in another order")
            else:
                keys_a, keys_b = {k for k, _ in decoded_a}, {k for k, _ in decoded_b}
                if keys_a - keys_b:
                    causes.append("query parameters only the plugin sends")
                if keys_b - keys_a:
                    causes.append("query parameters only coder-catalog sends")
                if keys_a == keys_b:
                    causes.append("query parameter values differ")
    return "creationUrl: " + ("; ".join(causes) or "differs")


def _link(url: str | None) -> str:
    return "none" if url is None else "a link"


def _form(text: str) -> str:
    return unquote(text.replace("+", " "))


def _params_cause(theirs: Any, mine: Any) -> str:
    if theirs is None or mine is None:
        return f"params: plugin {'none' if theirs is None else 'some'}, coder-catalog {'none' if mine is None else 'some'}"
    a, b = dict(theirs), dict(mine)
    causes = []
    if a == b:
        causes.append("another order" + (" (integer-like keys first in JavaScript)" if _int_keys(a) else ""))
    else:
        if set(a) - set(b):
            causes.append("keys only the plugin has")
        if set(b) - set(a):
            causes.append("keys only coder-catalog has")
        if any(a[k] != b[k] for k in set(a) & set(b)):
            causes.append("values differ")
    return "params: " + "; ".join(causes)


def _int_keys(params: dict[str, str]) -> bool:
    return any(re.fullmatch(r"0|[1-9]\d*", k) and int(k) < 2**32 - 1 for k in params)


def _repo_cause(theirs: str | None, mine: str | None) -> str:
    if theirs is None:
        return "repoUrl: the plugin reads none, coder-catalog reads one"
    if mine is None:
        target = "an http(s) URL" if theirs.startswith(("http://", "https://")) else "not a URL"
        return f"repoUrl: the plugin reads one ({target}), coder-catalog none"
    if theirs == mine.strip():
        return "repoUrl: coder-catalog keeps spaces parseLocationRef trims"
    if theirs.startswith(mine) and "/tree/" in theirs[len(mine) :]:
        return "repoUrl: coder-catalog strips a /tree/<branch> the plugin keeps"
    if mine.startswith(theirs):
        return "repoUrl: the plugin strips more"
    return "repoUrl: cleaned differently"


# -- reporting -----------------------------------------------------------------------------------------


def _short(value: Any, limit: int = 160) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = repr(text)[1:-1] if isinstance(value, str) else text
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plugin_report(comparison: PluginComparison, shown: int = SHOWN) -> str:
    """The counts per field, then up to ``shown`` causes (most frequent first), one example each."""
    rows = comparison.disagreements
    fields = Counter(d.field for d in rows)
    causes = Counter(d.cause for d in rows)
    first: dict[str, Disagreement] = {}
    for row in rows:
        first.setdefault(row.cause, row)
    lines = [
        f"{comparison.disagree} of {comparison.cases} cases disagree with the Coder plugin "
        f"({len(rows)} fields: " + ", ".join(f"{name} {n}" for name, n in fields.most_common()) + ")",
        f"{len(causes)} causes, the most frequent first, one example each ([N] = fields with that cause):",
    ]
    for name, count in causes.most_common(shown):
        example = first[name]
        lines.append(f"  [{count}] {name}")
        lines.append(
            f"        e.g. {example.case_id}: plugin {_short(example.plugin)} | coder-catalog {_short(example.ours)}"
        )
        if example.note:
            lines.append(f"        valibot's issues: {_short(example.note, 200)}")
    if len(causes) > shown:
        lines.append(f"  ... and {len(causes) - shown} more causes ({REPORT_VARIABLE}=file writes all)")
    return "\n".join(lines)


def write_plugin_report(comparison: PluginComparison, versions: dict[str, str]) -> None:
    """Every disagreement as JSON lines, when CODER_CATALOG_PLUGIN_DIFFERENTIAL_REPORT names a file."""
    target = os.environ.get(REPORT_VARIABLE)
    if not target:
        return
    with open(target, "w", encoding="utf-8") as out:
        out.write(json.dumps({"versions": versions}) + "\n")
        for d in comparison.disagreements:
            row = {
                "case": d.case_id,
                "field": d.field,
                "cause": d.cause,
                "plugin": d.plugin,
                "coder-catalog": d.ours,
            }
            if d.note:
                row["issues"] = d.note
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def plugin_summary_line(comparison: PluginComparison, versions: dict[str, str]) -> str:
    return (
        f"plugin differential: {comparison.cases} cases, {comparison.agree} agree, "
        f"{comparison.disagree} disagree; valibot {versions.get('valibot', '?')}, "
        f"yaml {versions.get('yaml', '?')}, "
        f"@backstage/catalog-model {versions.get('@backstage/catalog-model', '?')}, "
        f"node {versions.get('node', '?')}"
    )
