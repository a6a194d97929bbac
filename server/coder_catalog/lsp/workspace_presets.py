"""Choosing a preset when a workspace is created through the API (issue 19, point 3).

``coderCatalog.createWorkspace`` takes ``preset``: a preset's name, or ``""`` for none. Without it,
when the template's active version has presets, the user is asked (``window/showMessageRequest``: one
action per preset, and "No preset"; a dismissal creates without one, as before presets existed).
A preset's values overwrite the entity's (as Coder merges them): each one it overrides is shown as a
warning.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from coder_catalog.workspaces.presets import describe, find_preset, merge
from coder_catalog.workspaces.service import WorkspaceError

if TYPE_CHECKING:
    from coder_catalog.lsp.workspace_commands import Target
    from coder_catalog.workspaces.service import WorkspaceService

NO_PRESET = "No preset"


async def choose_preset(target: Target, service: WorkspaceService) -> str | None:
    """The preset's name to create with, or None; warns about the entity values it overrides."""
    from coder_catalog.lsp.workspace_commands import ask, show

    given = target.options.get("preset")
    if given is not None and not isinstance(given, str):
        raise WorkspaceError('"preset" must be a preset\'s name, or "" for none', "usage")
    if given == "":
        return None
    template_name = target.entity.template_name
    if not template_name:
        return None
    presets = await service.presets(await service._template(template_name))
    if not presets:
        if given:
            raise WorkspaceError(f'template "{template_name}" has no presets', "usage")
        return None
    if given:
        chosen = find_preset(presets, given)
        if chosen is None:
            names = ", ".join(p.name for p in presets)
            raise WorkspaceError(
                f'template "{template_name}" has no preset "{given}" (its presets: {names})', "usage"
            )
    else:
        listed = "; ".join(describe(p) for p in presets)
        message = f"Create the workspace of {target.entity.ref} with a preset of {template_name}? {listed}"
        answer = await ask(target.ls, message, [p.name for p in presets] + [NO_PRESET])
        chosen = next((p for p in presets if p.name == answer), None)
        if chosen is None:
            return None
    params = {k: v.value for k, v in target.entity.effective.params.items()}
    for override in merge(params, chosen)[1]:
        show(target.ls, f"coder-catalog: {override.sentence(chosen.name)}", types.MessageType.Warning)
    return chosen.name
