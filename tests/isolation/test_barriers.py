"""Each barrier the running system claims, tried by user code that attempts to cross it.

The server reports its isolation (``GET /api/v1/meta``, its log, the ``isolation`` event); a
build and an instance then try what that level says they cannot do — read the data dir's
token, database and key, list it, read another project's workspace or another instance's
directory, reach another process, write outside their own directories — while their own work
succeeds. Each attempt prints ``refused <what>`` or ``CROSSED <what>``; every barrier the level
claims must read ``refused``. A last test makes the server itself read what user code could
have replaced by a link to the server's files.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.isolation.conftest import Server, buildspec
from tests.isolation.crossing import check, try_as_a_build, try_as_an_instance

pytestmark = pytest.mark.slow


def test_the_server_says_what_holds(server: Server) -> None:
    found = server.isolation
    assert found["level"] in ("user+namespace", "user", "namespace", "none")
    assert found["description"].startswith(f"isolation {found['level']}: ")
    assert found["description"] in server.log()  # logged at start, whatever the log level
    events = server.client.get("/api/v1/events", params={"kind": "isolation"}).json()["items"]
    assert events[-1]["subject"] == found["level"]
    if os.geteuid() == 0 and found["level"] != "none":
        assert found["user"]["name"] == "gitterra-run"
    if found["level"] == "none":
        assert "NO ISOLATION" in found["description"]
    data = server.data_dir
    assert (data.stat().st_mode & 0o077) in (0, 0o011)  # never readable by others
    for name in ("token", "cloud.db", "secret.key"):
        assert (data / name).stat().st_mode & 0o077 == 0, name


def test_a_build_cannot_cross_what_is_claimed(server: Server, gates: Path) -> None:
    check(try_as_a_build(server, gates, "b"), server.isolation["barriers"])


def test_an_instance_cannot_cross_what_is_claimed(server: Server, gates: Path) -> None:
    check(try_as_an_instance(server, gates, "i"), server.isolation["barriers"])


def test_the_server_is_not_led_through_links_user_code_leaves(server: Server) -> None:
    """A build replaces its exported value's file, an instance its console, by links to the
    data dir's token: the server, which can read the token, must not follow them."""
    token = server.token
    data = server.data_dir
    spec = buildspec(
        "export LEAK=harmless",
        f'rm -f "$__gt_dir/out/LEAK"; ln -s "{data}/token" "$__gt_dir/out/LEAK"',
        f'chmod 0555 "$__gt_dir/out" 2>/dev/null; ln -sf "{data}/token" exported 2>/dev/null; true',
        extra="env:\n  exported-variables:\n    - LEAK",
    )
    done, log = server.build("linker", spec)
    assert done["status"] == "SUCCEEDED", log
    shown = server.client.get(f"/api/v1/codebuild/builds/{done['id']}").text
    assert token not in shown
    assert token not in log
    script = (
        f'rm -f "$HOME/console.log" "$HOME/exit.json"\n'
        f'ln -s "{data}/token" "$HOME/console.log"\n'
        f'ln -s "{data}/token" "$HOME/exit.json"\n'
        'echo page > "$DOCUMENT_ROOT/index.html"\n'
    )
    doc = server.wait_state(server.launch(script.encode())["id"], "running")
    console = server.client.get(f"/api/v1/instances/{doc['id']}/console").json()["text"]
    assert token not in console
    server.client.post(f"/api/v1/instances/{doc['id']}/terminate")
    ended = server.wait_state(doc["id"], "terminated")
    assert token not in str(ended)
    assert not (data / "token").is_symlink()
    assert (data / "token").read_text().strip() == token
