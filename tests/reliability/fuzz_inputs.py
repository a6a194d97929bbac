"""What the fuzzing tests start from and type: one entity, and pieces of YAML and odd text."""

from __future__ import annotations

import os

# make test runs a few; make fuzz sets CODER_CATALOG_FUZZ_EXAMPLES=3000.
EXAMPLES = int(os.environ.get("CODER_CATALOG_FUZZ_EXAMPLES", "60"))

START = """apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: fuzzed
  annotations:
    backstage.io/source-location: url:https://github.com/acme/fuzzed/tree/main/
spec:
  type: service
  lifecycle: production
  owner: team-a
  coder:
    templateName: docker
    mode: auto
    params:
      cpu: "4"
"""

PIECES = [
    "\n",
    " ",
    "\t",
    ":",
    "-",
    "---\n",
    "...\n",
    "[",
    "]",
    "{",
    "}",
    '"',
    "'",
    "&a ",
    "*a",
    "!!str ",
    "#",
    "é",
    "😀",
    "\u2028",
    "coder:",
    "  params:\n",
    "templateName: ",
    "mode: Auto",
    "x" * 300,
    "\r\n",
]
