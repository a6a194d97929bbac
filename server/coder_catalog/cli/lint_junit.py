"""``--format junit``: a JUnit XML report, as Jenkins, Azure Pipelines and GitLab read test results.

One ``testsuite``; one ``testcase`` per file checked, named by its path; a ``failure`` per finding
(``type`` the rule's code, ``message`` the line, column, code and message). A file without
findings is a passing test case; a file that could not be checked has an ``error``. A test case
with several findings also lists them all in ``system-out``, for readers that show one failure only.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TextIO

from coder_catalog.cli.lint_engine import LintedFile, LintReport
from coder_catalog.cli.lint_formats import shown_range

SUITE_NAME = "coder-catalog lint"
CLASS_NAME = "coder-catalog"
CONFIGURATION_CASE = "configuration"

# Characters XML 1.0 cannot carry, even escaped (control characters but tab, LF and CR; surrogates;
# U+FFFE and U+FFFF): shown as \uXXXX instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def render_junit(report: LintReport, out: TextIO) -> None:
    suite = ET.Element("testsuite", name=SUITE_NAME)
    for file in report.files:
        suite.append(_file_case(file))
    if report.config_errors:
        case = ET.SubElement(suite, "testcase", name=CONFIGURATION_CASE, classname=CLASS_NAME)
        for problem in report.config_errors:
            ET.SubElement(case, "error", message=_xml(problem), type="configuration").text = _xml(problem)
    counts = _counts(suite)
    suite.attrib.update(counts, skipped="0")
    root = ET.Element("testsuites", {"name": CLASS_NAME, **counts})
    root.append(suite)
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode"))
    out.write("\n")


def _file_case(file: LintedFile) -> ET.Element:
    path = file.display.replace("\\", "/")
    case = ET.Element("testcase", name=_xml(path), classname=CLASS_NAME, file=_xml(path))
    lines = []
    for finding in file.findings:
        where = shown_range(finding.span, file.text).start
        message = _xml(f"line {where.line}, column {where.column}: {finding.code} {finding.message}")
        failure = ET.SubElement(case, "failure", message=message, type=finding.code)
        failure.text = _xml(f"{path}:{where.line}:{where.column}: {finding.code} {finding.severity} ")
        failure.text += _xml(finding.message)
        lines.append(failure.text)
    if file.error is not None:
        ET.SubElement(case, "error", message=_xml(file.error), type="not-checked").text = _xml(
            f"{path}: {file.error}"
        )
    if len(lines) > 1:
        ET.SubElement(case, "system-out").text = "\n".join(lines) + "\n"
    return case


def _counts(suite: ET.Element) -> dict[str, str]:
    cases = suite.findall("testcase")
    return {
        "tests": str(len(cases)),
        "failures": str(sum(1 for case in cases if case.find("failure") is not None)),
        "errors": str(sum(1 for case in cases if case.find("error") is not None)),
    }


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
