"""Provider diagnostics placed at what they name: an attribute, a nested block's attribute, a
block — and the resource block when the configuration does not write it."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra import config
from gitterra.diag import Diagnostic
from gitterra.engine._decode_config import place
from gitterra.kits import LocalFileSystem

TEXT = """resource "x_project" "p" {
  name = "p"
  source {
    type      = "GITHUB"
    buildspec = "b.yml"
  }
  filter {
    type = "A"
  }
  filter {
    type = "B"
  }
}
"""


@pytest.mark.parametrize(
    ("path", "where"),
    [
        (("name",), (2, 10)),
        (("source", 0, "buildspec"), (5, 17)),
        (("source", "type"), (4, 17)),  # a single block, no index
        (("filter", 1, "type"), (11, 12)),
        (("filter", 1, "pattern"), (10, 3)),  # not written: the block
        (("filter", 7, "type"), (7, 3)),  # no such block: the first one
        (("tags",), (1, 1)),  # not written: the resource
        ((), (1, 1)),
    ],
)
def test_placed_at_the_deepest_written_part(
    tmp_path: Path, path: tuple[str | int, ...], where: tuple[int, int]
) -> None:
    (tmp_path / "main.tf").write_text(TEXT)
    module, diags = config.load_module(LocalFileSystem(str(tmp_path)), ".")
    assert not diags.has_errors
    (res,) = module.managed_resources
    (d,) = place([Diagnostic.error("Bad", "bad", attribute=path)], res.config, res.rng, "r")
    assert d.subject is not None
    assert (d.subject.start.line, d.subject.start.column) == where
    assert d.context == "r"
