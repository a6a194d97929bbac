"""Every rule, one module per area. Importing this package registers them all.

| codes | module | about |
|---|---|---|
| CC0xx | ``yaml_problems`` | the YAML itself (reported by the driver) |
| CC1xx | ``coder_block`` | the shape of ``spec.coder`` as the plugin reads it |
| CC2xx | ``templates`` | the template, against the deployment or a snapshot |
| CC3xx | ``parameters`` | the effective parameter values, judged as Coder will |
| CC4xx | ``repository`` | the repository URL the plugin derives |
| CC5xx | ``envelope``, ``kinds`` | the Backstage entity envelope; each built-in kind's ``spec`` |
| CC6xx | ``references`` | the catalog as a whole: references to entities no file defines (reported by ``lint``) |
"""

import difflib

from coder_catalog.analysis.rules import (  # noqa: F401
    coder_block,
    envelope,
    kinds,
    parameters,
    references,
    repository,
    templates,
    yaml_problems,
)
from coder_catalog.analysis.rules.base import REGISTRY, Rule, iter_rules
from coder_catalog.analysis.rules.yaml_problems import NOT_CHECKED

__all__ = ["REGISTRY", "Rule", "closest_code", "iter_rules", "rule_setting_problem"]


def rule_setting_problem(code: str, severity: str) -> str | None:
    """Why a severity setting (``rules: {CODE: SEVERITY}``, ``--rule CODE=SEVERITY``) cannot be
    applied, else None: an unknown code would leave the meant rule on without a word, and turning off
    a refusal would make a document that was never checked look clean."""
    if code not in REGISTRY:
        closest = closest_code(code)
        hint = f' (did you mean "{closest}"?)' if closest else ""
        return f'unknown rule code "{code}"{hint}; the codes are in docs/rules.md'
    if severity == "off" and code in NOT_CHECKED:
        return (
            f"{code} ({REGISTRY[code].name}) cannot be turned off: it is how a file or document that was "
            "not checked is reported"
        )
    return None


def closest_code(code: str) -> str | None:
    """The known rule code closest to ``code`` (a rule's name gives its code), if one is close:
    the most alike, then the longest common start (``CC10``: ``CC101``, not ``CC510``), then the lowest."""
    wanted = code.upper()
    for known, rule in REGISTRY.items():
        if rule.name.upper() == wanted:
            return known

    def rank(known: str) -> tuple[float, int, str]:
        pairs = zip(wanted, known, strict=False)
        common = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(wanted), len(known)))
        return -difflib.SequenceMatcher(None, wanted, known).ratio(), -common, known

    best = min(REGISTRY, key=rank, default=None)
    return best if best is not None and -rank(best)[0] >= 0.8 else None
