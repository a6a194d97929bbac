"""Workspaces of a catalog entity, found and made the way the Backstage Coder plugin does.

- ``plugin_rules``: the plugin's logic without HTTP (the workspace queries for an entity, workspace
  names, the create link, readable messages for Coder's refusals);
- ``entities``: the entities of a catalog file that have a ``spec.coder`` block;
- ``model``: what a workspace looks like to the editor and the terminal;
- ``service``: listing, creating, starting and stopping through the Coder client.
"""
