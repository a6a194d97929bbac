"""Which parameters a template version asks for, given some values, and what Coder says of them.

Coder's value rules live in :mod:`coder_catalog.templates.parameter_values`; this module
only decides which parameters are shown (conditional ones depend on earlier values) and
pairs each with the value Coder would use and its problem, if any.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from coder_catalog.simulator.data import ParameterRecord
from coder_catalog.templates.parameter_values import ValueProblem, check_parameter_value, effective_value


@dataclass(frozen=True, slots=True)
class EvaluatedParameter:
    record: ParameterRecord
    given: str | None  # what the caller sent, None when nothing
    value: str | None  # what Coder stores: the given value (even empty), else the default; None when missing
    problem: ValueProblem | None

    @property
    def name(self) -> str:
        return self.record.name


def evaluate(
    records: Iterable[ParameterRecord], inputs: Mapping[str, str], *, dynamic: bool = True
) -> list[EvaluatedParameter]:
    """The shown parameters in author order, each judged with ``check_parameter_value``.

    A conditional parameter is shown when its condition holds for the values in effect so
    far (given values, else defaults); values for parameters that are not shown, or that
    the version does not have, are ignored as Coder ignores them. ``dynamic`` picks the
    rule set (the template's flow; Coder's evaluation endpoint always uses the dynamic one).
    """
    in_effect: dict[str, str] = {}
    evaluated: list[EvaluatedParameter] = []
    for record in records:
        if record.shown_when is not None and not record.shown_when.holds(in_effect):
            continue
        given = inputs.get(record.name)
        value = effective_value(record.parameter, given)
        if value is not None:
            in_effect[record.name] = value
        problem = check_parameter_value(record.parameter, given, dynamic=dynamic)
        evaluated.append(EvaluatedParameter(record, given, value, problem))
    return evaluated


def shown_by_default(records: Iterable[ParameterRecord]) -> list[ParameterRecord]:
    """What a static parameter list holds: the parameters shown when every value is a default."""
    return [e.record for e in evaluate(records, {})]


def diagnostic_summary(problem: ValueProblem) -> str:
    """The ``summary`` of a dynamic-parameter diagnostic: the provider's own."""
    return problem.summary or "Invalid parameter value"


def diagnostic_detail(problem: ValueProblem) -> str:
    return problem.detail or problem.message
