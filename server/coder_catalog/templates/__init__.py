"""Coder templates as data: the model, Coder's parameter value rules, and snapshot files.

Pure code: no HTTP here. The Coder client fills these objects from a deployment and the
snapshot module reads and writes them, so that every consumer sees one shape.
"""

from coder_catalog.templates.model import (
    ParameterOption,
    Preset,
    Template,
    TemplateCatalog,
    TemplateParameter,
)

__all__ = ["ParameterOption", "Preset", "Template", "TemplateCatalog", "TemplateParameter"]
