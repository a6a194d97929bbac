"""The template data handed to the analysis: a catalog, or why there is none."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from coder_catalog.templates.model import DynamicEvaluation, TemplateCatalog

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

    @classmethod
    def offline(cls) -> TemplateData:
        return cls()

    @property
    def available(self) -> bool:
        return self.catalog is not None
