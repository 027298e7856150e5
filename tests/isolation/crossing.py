"""User code that tries to cross each barrier, as a build and as an instance.

Every attempt prints ``refused <what>`` or ``CROSSED <what>`` on a line of its own; ``check``
requires ``refused`` for every attempt at a barrier the server's level claims. The build and
the instance also do their own work (write in their own directory, run ``gitterra``, serve a
page), which must succeed whatever the level.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx

from tests.cloud.conftest import wait_for
from tests.isolation.conftest import Server, buildspec

#: What each barrier's attempts are called in the output.
ATTEMPTS = {
    "data-dir": ("read token", "read cloud.db", "read secret.key", "list the data dir"),
    "other-workspaces": ("read another workspace",),
    "server-processes": ("see the server", "see another build"),
    "read-only-system": ("write outside",),
}


def attempts(data: Path, other: Path, pids: list[int], probe: str) -> list[str]:
    """Shell lines that try each barrier: the data dir's files, another workspace's file
    ``other``, the environment of processes ``pids`` (the server, another build), and a file
    ``/var/tmp/<probe>`` (a world-writable directory outside the namespace's private ones)."""

    def attempt(what: str, command: str) -> str:
        return f'if {command}; then echo "CROSSED {what}"; else echo "refused {what}"; fi'

    lines = [
        attempt(f"read {name}", f'cat "{data}/{name}" >/dev/null 2>&1')
        for name in ("token", "cloud.db", "secret.key")
    ]
    lines.append(attempt("list the data dir", f'ls -a "{data}" 2>/dev/null | grep -qx token'))
    lines.append(attempt("read another workspace", f'cat "{other}" >/dev/null 2>&1'))
    lines.append(attempt("see the server", f"cat /proc/{pids[0]}/environ >/dev/null 2>&1"))
    lines.append(attempt("see another build", f"cat /proc/{pids[1]}/environ >/dev/null 2>&1"))
    lines.append(attempt("write outside", f"touch /var/tmp/{probe} 2>/dev/null"))
    return lines


def check(output: str, claimed: list[str]) -> None:
    """Every attempt at a claimed barrier printed ``refused`` (as a line of its own: the
    commands themselves are in a build's log too)."""
    said = set(output.splitlines())
    for barrier in claimed:
        for what in ATTEMPTS[barrier]:
            assert f"CROSSED {what}" not in said, f"{barrier}: {what}\n{output}"
            assert f"refused {what}" in said, f"{barrier}: {what}\n{output}"


def victim(server: Server, name: str, gate: Path) -> tuple[str, Path, int]:
    """A build of another project keeping a file in its workspace until ``gate`` opens: its
    id, that file, and its shell's pid as this machine sees it."""
    spec = buildspec(
        "echo victim-data > victim.txt",
        f"while [ ! -e {gate} ]; do sleep 0.05; done",
    )
    server.project(name, spec)
    build = server.start_build(name)
    secret = server.workspace(build["id"]) / "src" / "victim.txt"
    wait_for(secret.exists, 120, "the victim's file")
    return build["id"], secret, max(pids_with(f"CODEBUILD_BUILD_ID={build['id']}"))


def pids_with(entry: str) -> list[int]:
    """Processes whose environment holds ``entry`` (``NAME=value``)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if entry.encode() in (proc / "environ").read_bytes().split(b"\0"):
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


def try_as_a_build(server: Server, gates: Path, prefix: str) -> str:
    """A build's attempts (while another project's build runs); its log."""
    gate = gates / f"{prefix}-gate"
    other, secret, other_pid = victim(server, f"{prefix}-victim", gate)
    probe = f"gitterra-crossed-{uuid.uuid4().hex}"
    try:
        lines = attempts(server.data_dir, secret, [server.pid, other_pid], probe)
        spec = buildspec("echo own-work > own.txt && cat own.txt", "gitterra version", *lines)
        done, log = server.build(f"{prefix}-intruder", spec)
    finally:
        gate.touch()
        Path(f"/var/tmp/{probe}").unlink(missing_ok=True)
    assert done["status"] == "SUCCEEDED", log
    assert "\nown-work\n" in log  # its own work succeeds
    assert re.search(r"\ngitterra v\d", log), log  # and the gitterra command works
    assert server.wait_build(other)["status"] == "SUCCEEDED"
    return log


def try_as_an_instance(server: Server, gates: Path, prefix: str) -> str:
    """An instance's attempts (beside another instance and another project's build); what
    it reported, served from its own document root."""
    first = server.launch(b'echo other-instance > "$DOCUMENT_ROOT/victim.txt"\n')
    first = server.wait_state(first["id"], "running")
    other_file = server.data_dir / "instances" / first["id"] / "www" / "victim.txt"
    gate = gates / f"{prefix}-instance-gate"
    build_id, _, build_pid = victim(server, f"{prefix}-instance-victim", gate)
    probe = f"gitterra-crossed-{uuid.uuid4().hex}"
    try:
        lines = attempts(server.data_dir, other_file, [server.pid, build_pid], probe)
        script = "\n".join(['cd "$DOCUMENT_ROOT"', "{", *lines, "} > report.txt"])
        script += "\necho own-page > index.html\n"
        doc = server.wait_state(server.launch(script.encode())["id"], "running")
        base = f"http://{doc['private_ip']}:{doc['port']}"
        report = httpx.get(f"{base}/report.txt").text
        assert httpx.get(f"{base}/").text == "own-page\n"  # its own document root works
    finally:
        gate.touch()
        Path(f"/var/tmp/{probe}").unlink(missing_ok=True)
    assert server.wait_build(build_id)["status"] == "SUCCEEDED"
    for instance in (first, doc):
        server.client.post(f"/api/v1/instances/{instance['id']}/terminate")
    return report
