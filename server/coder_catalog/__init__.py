"""coder-catalog: judge the ``spec.coder`` block of Backstage catalog files as Coder will."""

__version__ = "0.1.0"
