"""``ignore_changes`` paths checked against a resource type's schema, through nested blocks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitterra import config, lang
from gitterra.engine import BlockSchema
from gitterra.engine._lifecycle import check_ignore_changes
from gitterra.engine._schema import Attribute, NestedBlock
from gitterra.kits import LocalFileSystem

INGRESS = BlockSchema({"from_port": Attribute(lang.NUMBER, required=True)})
SCHEMA = BlockSchema(
    {
        "name": Attribute(lang.STRING, optional=True),
        "tags": Attribute(lang.MapType(lang.STRING), optional=True),
    },
    {
        "ingress": NestedBlock(INGRESS, "list"),
        "timeouts": NestedBlock(
            BlockSchema({"create": Attribute(lang.STRING, optional=True)}), "single"
        ),
    },
)


def resource(tmp_path: Path, ignore: str) -> config.Resource:
    (tmp_path / "main.tf").write_text(
        f'resource "x_group" "g" {{\n  lifecycle {{\n    ignore_changes = {ignore}\n  }}\n}}\n'
    )
    module, diags = config.load_module(LocalFileSystem(str(tmp_path)), ".")
    assert not diags.has_errors, [str(d) for d in diags]
    (res,) = module.managed_resources
    return res


@pytest.mark.parametrize(
    "ignore",
    [
        "all",
        "[name]",
        '[tags["Owner"]]',
        "[tags.Owner]",
        "[ingress[0].from_port]",
        "[timeouts.create]",
        "[ingress]",
    ],
)
def test_paths_the_schema_has_pass(tmp_path: Path, ignore: str) -> None:
    assert check_ignore_changes(resource(tmp_path, ignore), SCHEMA) == []


@pytest.mark.parametrize(
    ("ignore", "name", "col"),
    [
        ("[nmae]", "nmae", 23),
        ("[name, tgas]", "tgas", 29),
        ("[ingress[0].from_prot]", "from_prot", 23),
        ("[timeouts.craete]", "craete", 23),
    ],
)
def test_a_name_the_schema_lacks_is_an_error_at_its_place(
    tmp_path: Path, ignore: str, name: str, col: int
) -> None:
    (found,) = check_ignore_changes(resource(tmp_path, ignore), SCHEMA)
    assert found.summary == "Unsupported attribute"
    assert f'named "{name}"' in found.detail
    assert "Did you mean" in found.detail
    assert found.subject is not None
    assert (found.subject.start.line, found.subject.start.column) == (3, col)
