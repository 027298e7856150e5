"""-parallelism: independent resources are applied concurrently up to the limit; with 1, one
operation at a time. Provisioners make the overlap observable without timing assumptions."""

from __future__ import annotations

from tests.workflow.conftest import ModuleDir


def waiting_for_all(name: str, total: int) -> str:
    """A resource whose provisioner records its start, then waits (up to ~30 s) until
    ``total`` resources have started: it finishes early only when they all run at once."""
    return f"""
resource "terraform_data" "{name}" {{
  provisioner "local-exec" {{
    command = "echo {name} >> starts; i=0; while [ $(wc -l < starts) -lt {total} ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; [ $(wc -l < starts) -ge {total} ]"
  }}
}}
"""


def recording(name: str) -> str:
    return f"""
resource "terraform_data" "{name}" {{
  provisioner "local-exec" {{
    command = "echo start-{name} >> log; echo end-{name} >> log"
  }}
}}
"""


def test_one_at_a_time(ws: ModuleDir) -> None:
    ws.write("".join(recording(f"r{i}") for i in range(4)))
    ws.apply("-parallelism=1")
    lines = (ws.path / "log").read_text().split()
    assert len(lines) == 8
    for first, second in zip(lines[::2], lines[1::2], strict=True):
        assert first.replace("start", "end") == second, lines


def test_independent_resources_run_at_the_same_time(ws: ModuleDir) -> None:
    ws.write("".join(waiting_for_all(f"r{i}", 4) for i in range(4)))
    ws.apply("-parallelism=4")
    assert len((ws.path / "starts").read_text().split()) == 4


def counted(body: str, count: int) -> str:
    """``body``'s resource repeated with ``count`` (``NAME`` becomes ``r[count.index]``)."""
    return body.replace("{\n  provisioner", f"{{\n  count = {count}\n  provisioner", 1).replace(
        "NAME", "r${count.index}"
    )


def test_instances_of_one_resource_run_at_the_same_time(ws: ModuleDir) -> None:
    ws.write(counted(waiting_for_all("NAME", 4).replace('"NAME"', '"r"'), 4))
    ws.apply("-parallelism=4")
    assert sorted((ws.path / "starts").read_text().split()) == ["r0", "r1", "r2", "r3"]


def test_instances_of_one_resource_one_at_a_time(ws: ModuleDir) -> None:
    ws.write(counted(recording("NAME").replace('"NAME"', '"r"'), 4))
    ws.apply("-parallelism=1")
    lines = (ws.path / "log").read_text().split()
    assert len(lines) == 8
    for first, second in zip(lines[::2], lines[1::2], strict=True):
        assert first.replace("start", "end") == second, lines
