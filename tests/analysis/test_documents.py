"""Multi-document files: splitting, per-document findings, incremental re-analysis, odd inputs."""

from __future__ import annotations

import os
import random
import re

import pytest
from analysis_support import Linter
from hypothesis import given, settings
from hypothesis import strategies as st

from coder_catalog.analysis.analyze import Analyzer
from coder_catalog.analysis.documents import RESPLIT_FROM, split_documents, split_documents_again, split_lines
from coder_catalog.analysis.templates import TemplateData
from coder_catalog.settings import Settings

ENTITY = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: docker
    mode: {mode}
"""


def test_split_keeps_comments_with_the_document_they_precede() -> None:
    text = "# header\n---\na: 1\n---\nb: 2\n...\n# tail\n"
    segments = split_documents(text)
    assert [(s.start_line, s.text) for s in segments] == [
        (0, "# header\n---\na: 1\n"),
        (3, "---\nb: 2\n...\n"),
        (6, "# tail\n"),
    ]
    assert "".join(s.text for s in segments) == text


def test_markers_inside_block_scalars_are_not_split() -> None:
    text = "a: |\n  ---\n  x\nb: 1\n"
    assert len(split_documents(text)) == 1


def test_a_syntax_error_does_not_stop_the_other_documents(lint: Linter) -> None:
    text = (
        ENTITY.format(name="one", mode="Auto")
        + "---\nkey: [unclosed\n---\n"
        + ENTITY.format(name="three", mode="Auto")
    )
    findings = lint(text).findings
    lines = {f.code: [] for f in findings}
    for f in findings:
        lines[f.code].append(f.span.start.line)
    assert len(lines["CC001"]) == 1
    assert lines["CC105"] == [10, 24]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# nothing here\n",
        "---\n---\n",
        "\ufeff" + ENTITY.format(name="bom", mode="auto"),
        ENTITY.format(name="crlf", mode="auto").replace("\n", "\r\n"),
        ENTITY.format(name="ünïcödé-nämé", mode="auto"),
        "\x00\xff\x1b[31mbinary",
        "\t\ta:\n\tb",
        "{" * 10000,
        "a: " + "x" * 200_000,
    ],
)
def test_odd_input_never_raises(text: str, lint: Linter) -> None:
    lint(text)


def test_bom_moves_first_line_columns(lint: Linter) -> None:
    plain = lint("kind: 42\n").findings
    with_bom = lint("\ufeffkind: 42\n").findings
    first = next(f for f in plain if f.code == "CC502")
    moved = next(f for f in with_bom if f.code == "CC502")
    assert moved.span.start.column == first.span.start.column + 1


def test_fuzzed_bytes_never_raise(lint: Linter) -> None:
    rng = random.Random(1234)
    base = ENTITY.format(name="fuzz", mode="auto")
    for _ in range(300):
        chars = list(base)
        for _ in range(rng.randint(1, 8)):
            position = rng.randrange(len(chars))
            chars[position] = rng.choice(
                ["\n", ":", "-", " ", "[", "{", '"', "'", "&a", "*a", "!", "#", "---\n", "é"]
            )
        lint("".join(chars))


def test_changing_one_document_reanalyses_only_that_one(
    settings: Settings, template_data: TemplateData
) -> None:
    docs = [ENTITY.format(name=f"service-{i}", mode="auto") for i in range(50)]
    analyzer = Analyzer(settings, template_data)
    first = analyzer.analyze("---\n".join(docs))
    assert analyzer.analysed_documents == 50
    docs[17] = docs[17].replace("mode: auto", "mode: Auto")
    second = analyzer.analyze("---\n".join(docs))
    assert analyzer.analysed_documents == 51
    assert [f.code for f in second.findings if f.code == "CC105"] == ["CC105"]
    assert len(second.findings) == len(first.findings) + 1


def test_inserting_lines_shifts_later_findings(settings: Settings, template_data: TemplateData) -> None:
    docs = [ENTITY.format(name=f"s{i}", mode="Auto") for i in range(3)]
    analyzer = Analyzer(settings, template_data)
    before = [f.span.start.line for f in analyzer.analyze("---\n".join(docs)).findings if f.code == "CC105"]
    docs[0] = "# a new comment\n" + docs[0]
    after = [f.span.start.line for f in analyzer.analyze("---\n".join(docs)).findings if f.code == "CC105"]
    assert after == [line + 1 for line in before]


def test_suppression_comments(lint: Linter) -> None:
    text = ENTITY.format(name="quiet", mode="Auto  # coder-catalog: ignore[CC105]")
    assert "CC105" not in lint.codes(text)
    text = ENTITY.format(name="quiet", mode="Auto  # coder-catalog: ignore[CC999]")
    assert "CC105" in lint.codes(text)
    text = ENTITY.format(name="quiet", mode="Auto").replace(
        "    mode:", "    # coder-catalog: ignore\n    mode:"
    )
    assert "CC105" not in lint.codes(text)


def test_severity_overrides_and_off(settings: Settings, template_data: TemplateData) -> None:
    from dataclasses import replace

    text = ENTITY.format(name="sev", mode="Auto")
    changed = replace(settings, rules={"CC105": "info", "CC401": "off"})
    findings = Analyzer(changed, template_data).analyze(text).findings
    assert [f.severity for f in findings if f.code == "CC105"] == ["info"]
    assert "CC401" not in [f.code for f in findings]


LINE_TEXT = st.lists(
    st.sampled_from(["a", " ", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "é"])
).map("".join)


@given(LINE_TEXT)
def test_split_lines_breaks_at_lf_crlf_and_cr_only(text: str) -> None:
    lines = split_lines(text)
    assert "".join(lines) == text
    for line in lines[:-1]:
        assert line.endswith(("\n", "\r"))
    for line in lines:
        body = line[:-2] if line.endswith("\r\n") else line[:-1] if line.endswith(("\n", "\r")) else line
        assert "\n" not in body and "\r" not in body
    assert len(lines) == len(re.findall(r"\r\n|\r|\n", text)) + (
        not text.endswith(("\n", "\r")) and text != ""
    )


def reference_split(text: str) -> list[tuple[int, str]]:
    """The splitting rule written plainly (a multi-line regex), for comparison."""
    marker = re.compile(r"^(?:(?P<start>---)|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
    preamble = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n|%[^\n]*\n)*[ \t]*(?:#[^\n]*)?")
    pieces: list[tuple[int, str]] = []
    start = line = 0

    def cut(end: int) -> None:
        nonlocal start, line
        if end > start:
            pieces.append((line, text[start:end]))
            line += text.count("\n", start, end)
            start = end

    for found in marker.finditer(text):
        if found.group("start") is not None:
            if not preamble.fullmatch(text, start, found.start()):
                cut(found.start())
        else:
            line_end = text.find("\n", found.end())
            cut(len(text) if line_end < 0 else line_end + 1)
    cut(len(text))
    return pieces


DOCUMENT_TEXT = st.lists(
    st.sampled_from(
        ["---", "...", "--- ", "---x", "....", "a: 1", "# c", "%YAML 1.2", "\n", "\r\n", " ", "\t", "-"]
    )
).map("".join)


@given(DOCUMENT_TEXT)
def test_split_documents_follows_the_marker_rule(text: str) -> None:
    if "\r" in text and "\n" not in text:
        return  # old Mac line ends take the line-by-line path
    assert [(s.start_line, s.text) for s in split_documents(text)] == reference_split(text)


LARGE_DOCUMENTS = st.lists(
    st.sampled_from(
        ["---\n", "...\n", "a: 1\n", "# c\n", "%YAML 1.2\n", "\n", "b: [1, 2]\n", "--- x\n", "---x\n"]
    ),
    min_size=1,
    max_size=60,
).map("".join)


@settings(max_examples=int(os.environ.get("CODER_CATALOG_FUZZ_EXAMPLES", "50")), deadline=None)
@given(
    LARGE_DOCUMENTS,
    st.integers(0, 10**9),
    st.integers(0, 40),
    st.sampled_from(["", "\n", "---\n", "\n---\n", "...\n", "x", "# c\n", "-", "--", ".", "\n...", " "]),
)
def test_split_documents_again_equals_a_whole_split(text: str, where: int, length: int, insert: str) -> None:
    """Reusing the previous split gives the split of the new text, wherever the change is."""
    old = text * (RESPLIT_FROM // max(len(text), 1) + 1)  # above the size where reuse starts
    at = where % (len(old) + 1)
    new = old[:at] + insert + old[at + length :]
    assert split_documents_again(old, split_documents(old), new) == split_documents(new)


def test_typing_in_one_document_of_a_large_file_reuses_the_others() -> None:
    old = "".join(ENTITY.format(name=f"s{n}", mode="auto") + "---\n" for n in range(400))
    before = split_documents(old)
    at = old.index("name: s200") + len("name: s2")
    new = old[:at] + "x\n" + old[at:]  # one more line in document 200
    after = split_documents_again(old, before, new)
    assert after == split_documents(new)
    assert all(a is b for a, b in zip(after[:199], before[:199], strict=True))  # kept as they were
    assert after[300].start_line == before[300].start_line + 1 and after[300].text is before[300].text


def test_edits_in_a_large_file_analyse_as_a_fresh_file(
    settings: Settings, template_data: TemplateData
) -> None:
    """Above RESPLIT_FROM the Analyzer reuses its previous split: findings stay those of a fresh look."""
    chooser = random.Random(8)
    text = "---\n".join(
        ENTITY.format(name=f"s{i}", mode=chooser.choice(["auto", "Auto", "manual"])) for i in range(400)
    )
    assert len(text) > RESPLIT_FROM
    analyzer = Analyzer(settings, template_data)
    analyzer.analyze(text)
    for _ in range(25):
        at = chooser.randrange(len(text))
        text = (
            text[:at]
            + chooser.choice(["", "\n", "---\n", "x", "  mode: Auto\n", "...\n"])
            + text[at + chooser.randint(0, 30) :]
        )
        assert analyzer.analyze(text).findings == Analyzer(settings, template_data).analyze(text).findings
