"""Editor features over the analysis core: completion, hover, outline, links and code actions.

Pure functions of an :class:`~coder_catalog.analysis.analyze.Analyzer` (settings, template data
and its parse cache) and a file's text. Positions in and out are 0-based (line, column) in code
points of the whole file; the language server converts them to the editor's encoding.
"""
