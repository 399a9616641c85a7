from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.core.prompt_model import LineIndex

POSITIONS = [
    ("abc", 2, (0, 2)),
    ("a\nbc", 3, (1, 1)),
    ("a\r\nb", 3, (1, 0)),
    ("🧪x\ny", 2, (0, 3)),  # the emoji is two UTF-16 code units
    ("ab", 99, (0, 2)),  # clamped to the end
]


@pytest.mark.parametrize(("text", "offset", "position"), POSITIONS)
def test_offset_to_lsp_position(text: str, offset: int, position: tuple[int, int]) -> None:
    assert LineIndex(text).position(offset) == position


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))), st.data())
def test_position_and_offset_are_inverse(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    index = LineIndex(text)
    assert index.offset(*index.position(offset)) == offset
