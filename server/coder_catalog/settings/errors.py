"""The one exception every settings failure ends in."""

from __future__ import annotations

__all__ = ["SettingsError"]


class SettingsError(ValueError):
    """A settings source that cannot be used, with the position of the offending key or value.

    ``line`` and ``column`` are 1-based; they are ``None`` when the source has no text
    (editor/CLI overrides, environment variables).  ``str()`` gives ``path:line:col: message``
    (or ``path: message`` without a position), the format compilers and editors understand.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str,
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
        key: str | None = None,
        source: str | None = None,
        other_errors: tuple[SettingsError, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        #: dotted setting path the error is about (``workspaces.defaultMode``), when known
        self.key = key
        #: the kind of source: "override", "project-file", "app-config", "env:CODER_URL", "coder-cli"
        self.source = source
        #: further problems found in the same source, in document order
        self.other_errors = other_errors

    @property
    def all_errors(self) -> tuple[SettingsError, ...]:
        """This error followed by the others found in the same source."""
        return (self, *self.other_errors)

    def location(self) -> str:
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"

    def __repr__(self) -> str:
        return f"SettingsError({str(self)!r})"

    def __reduce__(self) -> tuple[object, ...]:  # keep the keyword-only attributes when pickled
        return (_rebuild, (self.message, self.__dict__.copy()))


def _rebuild(message: str, state: dict[str, object]) -> SettingsError:
    error = SettingsError(message, path=str(state.get("path", "")))
    error.__dict__.update(state)
    return error
