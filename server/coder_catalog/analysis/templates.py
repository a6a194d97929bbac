"""The template data handed to the analysis: a catalog, or why there is none."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from coder_catalog.templates.model import DynamicEvaluation, Template, TemplateCatalog

T = TypeVar("T")
_DERIVED_LIMIT = 10_000

# (template name, effective parameter values) -> Coder's verdict from
# ``dynamic-parameters/evaluate``, or None when not evaluated. The shells fill it; the core only reads.
DynamicLookup = Callable[[str, Mapping[str, str]], DynamicEvaluation | None]


@dataclass(frozen=True)
class TemplateData:
    """``catalog`` is None offline (template rules are skipped quietly) or when the deployment
    could not be asked (``problem`` says why; one finding reports it)."""

    catalog: TemplateCatalog | None = None
    problem: str | None = None
    dynamic: DynamicLookup | None = field(default=None, compare=False)
    # (what, id of the template) -> (the template, the value derived from it); see derived().
    _derived: dict[tuple[str, int], tuple[Template, Any]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def derived(self, what: str, template: Template, compute: Callable[[Template], T]) -> T:
        """``compute(template)``, computed once per template of this data (templates are immutable,
        and new template data comes with a new TemplateData): the Markdown that completion and
        hover show for a template, for instance."""
        key = (what, id(template))
        found = self._derived.get(key)
        if found is not None and found[0] is template:
            value: T = found[1]
            return value
        value = compute(template)
        if len(self._derived) >= _DERIVED_LIMIT:  # templates from elsewhere: never grow without bound
            self._derived.clear()
        self._derived[key] = (template, value)
        return value

    @classmethod
    def offline(cls) -> TemplateData:
        return cls()

    @property
    def available(self) -> bool:
        return self.catalog is not None
