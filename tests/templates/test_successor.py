"""The template a deprecated one's message sends users to (``TemplateCatalog.successor_of``)."""

from __future__ import annotations

import pytest

from coder_catalog.templates.model import Template, TemplateCatalog

ACTIVE = (Template(id="1", name="docker"), Template(id="2", name="docker-gpu"), Template(id="3", name="Nix"))


def _successor(message: str, *more: Template) -> str | None:
    old = Template(id="0", name="legacy-vm", deprecated=True, deprecation_message=message)
    catalog = TemplateCatalog((old, *ACTIVE, *more))
    found = catalog.successor_of(old)
    return found.name if found is not None else None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Use **docker** instead: virtual machines are retired on 2025-12-31.", "docker"),
        ("moved to `docker-gpu`", "docker-gpu"),  # a whole name, not the docker inside it
        ("Please use nix.", "Nix"),  # any case
        ("use docker or nix", None),  # two: no guess
        ("retired, ask the platform team", None),
        ("", None),
    ],
)
def test_the_one_active_template_the_message_names(message: str, expected: str | None) -> None:
    assert _successor(message) == expected


def test_deprecated_templates_are_not_successors() -> None:
    assert _successor("use old-docker", Template(id="9", name="old-docker", deprecated=True)) is None


def test_an_active_template_has_none() -> None:
    catalog = TemplateCatalog(ACTIVE)
    assert catalog.successor_of(ACTIVE[0]) is None
