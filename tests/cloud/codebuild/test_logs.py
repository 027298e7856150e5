"""Build log pages: byte offsets, pages that never end inside a character, offsets outside the
log refused naming the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra.cloud import ValidationError
from gitterra.cloud.codebuild import _logs


@pytest.mark.parametrize("limit", [1, 2, 3, 4, 5, 6, 7, 64])
def test_pages_end_on_character_boundaries(tmp_path: Path, limit: int) -> None:
    text = "a€b😀c\nü\n" * 3
    path = tmp_path / "build.log"
    path.write_text(text, encoding="utf-8")
    book, offset, pages = _logs.LogBook(), 0, []
    while True:
        page, offset = book.read(path, offset, limit)
        if not page:
            break
        assert "\ufffd" not in page
        pages.append(page)
    assert "".join(pages) == text
    assert offset == len(text.encode())


def test_offsets_outside_the_log(tmp_path: Path) -> None:
    path = tmp_path / "build.log"
    path.write_text("hello\n")
    book = _logs.LogBook()
    assert book.read(path, 6) == ("", 6)
    assert book.read(tmp_path / "none.log", 0) == ("", 0)
    for offset in (-1, 7):
        with pytest.raises(ValidationError) as caught:
            book.read(path, offset)
        assert caught.value.field == "offset"
