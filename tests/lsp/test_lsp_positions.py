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


@pytest.mark.parametrize(
    ("position", "offset"),
    [
        (types.Position(0, 0), 0),
        (types.Position(0, 99), 8),  # past the line's end: before its CRLF
        (types.Position(1, 0), 10),
        (types.Position(1, 6), 15),  # after the emoji (two UTF-16 units)
        (types.Position(2, 4), len(TEXT)),
        (types.Position(3, 0), len(TEXT)),  # past the last line: the end
    ],
)
def test_offsets_of_edit_positions(position: types.Position, offset: int) -> None:
    assert PositionConverter(TEXT, "utf-16").offset(position) == offset


def test_offsets_count_lf_crlf_and_cr_only() -> None:
    text = "a\u2028b\x0cc\rd\ne"
    converter = PositionConverter(text, "utf-16")
    assert converter.offset(types.Position(1, 0)) == text.index("d")
    assert converter.offset(types.Position(2, 1)) == len(text)
