"""The language server (pygls 2.x): a thin shell that translates between LSP and the analysis core.

- ``server``: the server object, its state and the handler registration;
- ``documents``: which open documents are catalog files, and their analysis;
- ``diagnostics``: publishing findings, coalescing rapid typing, never out of order;
- ``deployments``: template data per deployment, loaded in the background, never on a keystroke;
- ``client_settings``: the editor's ``coderCatalog`` settings;
- ``positions``: code points <-> the negotiated position encoding;
- ``features``: completion, hover, code actions, symbols and links.
"""
