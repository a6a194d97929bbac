"""Code points <-> client units, for each encoding (unit tests of the conversion)."""

from __future__ import annotations

import pytest
from lsprotocol import types

from coder_catalog.analysis.spans import Position
from coder_catalog.lsp.positions import PositionConverter

TEXT = "plain: x\r\nü: 😀 end\nlast"


@pytest.mark.parametrize(
    ("encoding", "column", "units"),
    [("utf-16", 5, 6), ("utf-8", 5, 9), ("utf-32", 5, 5), (types.PositionEncodingKind.Utf16, 5, 6)],
)
def test_round_trip(encoding: str, column: int, units: int) -> None:
    converter = PositionConverter(TEXT, encoding)
    assert converter.to_client(Position(1, column)) == types.Position(1, units)
    assert converter.from_client(types.Position(1, units)) == Position(1, column)


def test_ascii_lines_and_line_ends() -> None:
    converter = PositionConverter(TEXT, "utf-16")
    assert converter.to_client(Position(0, 7)) == types.Position(0, 7)
    assert converter.to_client(Position(0, 99)) == types.Position(0, 8)  # clamped before CRLF
    assert converter.from_client(types.Position(7, 3)) == Position(2, 4)  # past the end: the end


def test_a_position_inside_a_surrogate_pair_moves_after_it() -> None:
    converter = PositionConverter(TEXT, "utf-16")
    assert converter.from_client(types.Position(1, 3)) == Position(1, 3)  # before the emoji
    assert converter.from_client(types.Position(1, 4)) == Position(1, 4)  # inside it: after it
    assert converter.from_client(types.Position(1, 5)) == Position(1, 4)
