"""Every rule, one module per area. Importing this package registers them all.

| codes | module | about |
|---|---|---|
| CC0xx | ``yaml_problems`` | the YAML itself (reported by the driver) |
| CC1xx | ``coder_block`` | the shape of ``spec.coder`` as the plugin reads it |
| CC2xx | ``templates`` | the template, against the deployment or a snapshot |
| CC3xx | ``parameters`` | the effective parameter values, judged as Coder will |
| CC4xx | ``repository`` | the repository URL the plugin derives |
| CC5xx | ``envelope`` | the Backstage entity envelope |
"""

from coder_catalog.analysis.rules import (  # noqa: F401
    coder_block,
    envelope,
    parameters,
    repository,
    templates,
    yaml_problems,
)
from coder_catalog.analysis.rules.base import REGISTRY, Rule, iter_rules

__all__ = ["REGISTRY", "Rule", "iter_rules"]
