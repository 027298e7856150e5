"""Builds through the service (in-process server, real bash): what the runner does is tested in
tests/pipeline; here, the service's wiring — CodeBuild's variables, project variables and
secrets (masked), exported variables, failures and ``finally``, the timeout (a shortened
minute), stop, buildspec diagnostics, artifacts, phases, logs by offset, long-poll and
server-sent events, and the concurrency limit."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.cloud.codebuild.conftest import (
    MINUTE,
    B,
    InProcess,
    P,
    buildspec,
    create,
    in_process,
    log_of,
    project,
    start,
    until,
    wait_build,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcess]:
    with in_process(tmp_path_factory.mktemp("builds")) as srv:
        yield srv


@pytest.fixture
def client(server: InProcess) -> httpx.Client:
    return server.client


def run(
    client: httpx.Client, name: str, spec: str, **fields: object
) -> tuple[dict[str, object], str]:
    create(client, P, project(name, source={"type": "NO_SOURCE", "buildspec": spec}, **fields))
    build = start(client, name)
    done = wait_build(client, build["id"])
    return done, log_of(client, build["id"])


def test_codebuild_variables_have_codebuild_formats(
    client: httpx.Client, server: InProcess
) -> None:
    names = [
        "CODEBUILD_BUILD_ID",
        "CODEBUILD_BUILD_NUMBER",
        "CODEBUILD_BUILD_ARN",
        "CODEBUILD_START_TIME",
        "CODEBUILD_SRC_DIR",
        "CODEBUILD_INITIATOR",
        "CODEBUILD_BUILD_SUCCEEDING",
        "GITTERRA_ENDPOINT",
        "TF_HTTP_ADDRESS",
        "TF_HTTP_LOCK_ADDRESS",
        "TF_HTTP_USERNAME",
        "AWS_REGION",
    ]
    spec = buildspec(
        *(f'echo "{n}=${n}"' for n in names),
        'echo "PATH0=${PATH%%:*}"',
        'echo "TOKEN=$GITTERRA_TOKEN"',
    )
    done, log = run(client, "vars", spec)
    assert done["status"] == "SUCCEEDED", log
    seen = dict(
        line.split("=", 1) for line in log.splitlines() if "=" in line and not line.startswith("[")
    )
    assert re.fullmatch(r"vars:[0-9a-f-]{36}", seen["CODEBUILD_BUILD_ID"])
    assert seen["CODEBUILD_BUILD_ID"] == done["id"]
    assert seen["CODEBUILD_BUILD_NUMBER"] == "1"
    assert seen["CODEBUILD_BUILD_ARN"] == done["arn"]
    assert abs(int(seen["CODEBUILD_START_TIME"]) / 1000 - time.time()) < 600
    assert seen["CODEBUILD_SRC_DIR"].endswith("/src")
    assert str(server.data_dir / "builds" / "vars") in seen["CODEBUILD_SRC_DIR"]
    assert seen["CODEBUILD_INITIATOR"] == "admin"
    assert seen["CODEBUILD_BUILD_SUCCEEDING"] == "1"
    assert seen["GITTERRA_ENDPOINT"] == server.url
    assert (
        seen["TF_HTTP_ADDRESS"]
        == seen["TF_HTTP_LOCK_ADDRESS"]
        == f"{server.url}/state/vars/terraform"
    )
    assert seen["AWS_REGION"] == "local-1"
    assert Path(seen["PATH0"], "gitterra").exists(), "the running gitterra comes first on PATH"
    assert seen["TOKEN"] == "***", "the build's token is masked in its log"
    second = start(client, "vars")
    assert wait_build(client, second["id"])["build_number"] == 2


def test_project_variables_and_secrets(client: httpx.Client) -> None:
    create(
        client,
        "/api/v1/codebuild/secrets",
        {"name": "prod/db", "value": json.dumps({"password": "hunter2-db"})},
    )
    create(client, "/api/v1/codebuild/secrets", {"name": "/app/api-key", "value": "k3y-value-42"})
    env = {
        "compute_type": "BUILD_GENERAL1_SMALL",
        "image": "aws/codebuild/standard:7.0",
        "type": "LINUX_CONTAINER",
        "environment_variable": [
            {"name": "GREETING", "value": "$(echo not expanded)"},
            {"name": "DB_PASSWORD", "value": "prod/db:password", "type": "SECRETS_MANAGER"},
            {"name": "API_KEY", "value": "/app/api-key", "type": "PARAMETER_STORE"},
        ],
    }
    spec = buildspec(
        'echo "greeting=$GREETING"',
        'echo "db=$DB_PASSWORD"',
        'echo "key=$API_KEY"',
        'test "$DB_PASSWORD" = hunter2-db',
    )
    done, log = run(client, "secrets", spec, environment=env)
    assert done["status"] == "SUCCEEDED", log
    assert "greeting=$(echo not expanded)" in log
    assert "db=***" in log
    assert "key=***" in log
    assert "hunter2" not in log
    assert "k3y-value" not in log
    listed = client.get("/api/v1/codebuild/secrets").json()["items"]
    assert {s["name"] for s in listed} >= {"prod/db", "/app/api-key"}
    assert all("value" not in s for s in listed)


def test_a_missing_secret_fails_the_build_before_any_command(client: httpx.Client) -> None:
    env = {
        "compute_type": "BUILD_GENERAL1_SMALL",
        "image": "i",
        "type": "LINUX_CONTAINER",
        "environment_variable": [{"name": "X", "value": "nope", "type": "PARAMETER_STORE"}],
    }
    done, log = run(client, "nosecret", buildspec("echo RAN"), environment=env)
    assert done["status"] == "FAILED"
    assert "secret nope does not exist" in done["reason"]
    assert "RAN" not in log


def test_exported_variables_failure_and_finally(client: httpx.Client) -> None:
    spec = (
        "version: 0.2\n"
        "env:\n  exported-variables: [RESULT]\n"
        "phases:\n"
        "  build:\n"
        "    commands:\n      - export RESULT=computed\n      - 'false'\n      - echo NOT-REACHED\n"
        '    finally:\n      - echo "finally succeeding=$CODEBUILD_BUILD_SUCCEEDING"\n'
        "  post_build:\n    commands:\n      - echo post-build-ran\n"
    )
    done, log = run(client, "failing", spec)
    assert done["status"] == "FAILED"
    assert "NOT-REACHED" not in log
    assert "finally succeeding=0" in log
    assert "post-build-ran" in log
    assert done["exported_environment_variables"] == [{"name": "RESULT", "value": "computed"}]
    phases = {p["phase_type"]: p for p in done["phases"]}
    assert [p["phase_type"] for p in done["phases"]] == [
        "SUBMITTED",
        "QUEUED",
        "PROVISIONING",
        "DOWNLOAD_SOURCE",
        "INSTALL",
        "PRE_BUILD",
        "BUILD",
        "POST_BUILD",
        "UPLOAD_ARTIFACTS",
        "FINALIZING",
        "COMPLETED",
    ]
    assert phases["BUILD"]["phase_status"] == "FAILED"
    assert phases["BUILD"]["contexts"][0]["status_code"] == "COMMAND_EXECUTION_ERROR"
    assert "Error while executing command: false" in done["reason"]
    assert all(isinstance(p["duration_in_seconds"], int) for p in done["phases"][:-1])


def test_buildspec_errors_fail_the_build_with_the_diagnostics_in_its_log(
    client: httpx.Client,
) -> None:
    spec = "version: 0.2\nphases:\n  build:\n    comands:\n      - echo hi\n"
    done, log = run(client, "badspec", spec)
    assert done["status"] == "FAILED"
    assert done["phases"][3]["phase_type"] == "DOWNLOAD_SOURCE"
    assert done["phases"][3]["contexts"][0]["status_code"] == "YAML_FILE_ERROR"
    assert "comands" in log
    assert "buildspec (inline)" in log


def test_timeout(client: httpx.Client) -> None:
    started = time.monotonic()
    done, log = run(client, "slow", buildspec("sleep 600"), build_timeout=5)
    assert done["status"] == "TIMED_OUT", log
    assert time.monotonic() - started < 5 * MINUTE + 60
    assert "timed out" in done["reason"]


def test_stop_a_running_build(client: httpx.Client, server: InProcess) -> None:
    create(
        client,
        P,
        project(
            "stoppable",
            source={"type": "NO_SOURCE", "buildspec": buildspec("echo sleeping", "sleep 600")},
        ),
    )
    build = start(client, "stoppable")
    until(lambda: "\nsleeping\n" in log_of(client, build["id"]), "the build to start sleeping")
    r = client.post(f"{B}/{build['id']}/stop")
    assert r.status_code == 200, r.text
    done = wait_build(client, build["id"])
    assert done["status"] == "STOPPED"
    assert done["reason"] == "Build was stopped"


def test_artifacts_are_stored_and_downloadable(client: httpx.Client) -> None:
    spec = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        "      - mkdir -p out/site && echo '<h1>fox</h1>' > out/site/index.html && echo x > out/skip.tmp\n"
        "artifacts:\n  base-directory: out\n  files: ['**/*']\n  exclude-paths: ['*.tmp']\n"
    )
    done, log = run(client, "arts", spec, artifacts={"type": "S3"})
    assert done["status"] == "SUCCEEDED", log
    listed = client.get(f"{B}/{done['id']}/artifacts").json()["items"]
    assert [a["name"] for a in listed] == ["site/index.html"]
    r = client.get(listed[0]["url"])
    assert r.status_code == 200
    assert r.text == "<h1>fox</h1>\n"
    assert client.get(f"{B}/{done['id']}/artifacts/../../token").status_code == 404


def test_logs_follow_by_long_poll_and_server_sent_events(client: httpx.Client, gates: Path) -> None:
    gate = gates / "gate"
    spec = buildspec(
        "echo first-line", f"while [ ! -e {gate} ]; do sleep 0.05; done", "echo last-line"
    )
    create(client, P, project("follow", source={"type": "NO_SOURCE", "buildspec": spec}))
    build = start(client, "follow")
    path = f"{B}/{build['id']}/logs"
    seen, offset = "", 0
    while "Running command while" not in seen:  # then nothing until the gate opens
        page = client.get(path, params={"offset": offset, "wait": 30}).json()
        seen, offset = seen + page["text"], page["next_offset"]
        assert not page["complete"]
    events: list[str] = []

    def read_stream() -> None:
        with client.stream("GET", f"{path}/stream", params={"offset": offset}) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                events.append(line)

    reader = threading.Thread(target=read_stream)
    reader.start()
    waited = client.get(path, params={"offset": offset, "wait": 0.2}).json()
    assert waited["text"] == ""
    assert not waited["complete"]
    gate.touch()
    while True:
        page = client.get(path, params={"offset": offset, "wait": 30}).json()
        seen, offset = seen + page["text"], page["next_offset"]
        if page["complete"]:
            break
    reader.join(60)
    assert "last-line" in seen
    assert "Build SUCCEEDED" in seen
    assert "data: last-line" in events
    assert (
        events[-2:] == ['data: {"status": "SUCCEEDED"}', ""]
        or 'data: {"status": "SUCCEEDED"}' in events
    )
    bad = client.get(path, params={"offset": 10**9})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "offset"


def test_concurrency_limit(client: httpx.Client, gates: Path) -> None:
    gate = gates / "conc-gate"
    spec = buildspec(f"while [ ! -e {gate} ]; do sleep 0.05; done")
    create(client, P, project("one-at-a-time", source={"type": "NO_SOURCE", "buildspec": spec}))
    first, second = start(client, "one-at-a-time"), start(client, "one-at-a-time")
    wait_build(client, first["id"], ("IN_PROGRESS",))
    assert client.get(f"{B}/{second['id']}").json()["status"] == "QUEUED"
    gate.touch()
    one, two = wait_build(client, first["id"]), wait_build(client, second["id"])
    assert one["status"] == two["status"] == "SUCCEEDED"
    assert two["start_time"] >= one["end_time"], "the second ran only once the first had ended"
    gate.unlink()
    create(
        client,
        P,
        project(
            "two-at-a-time",
            concurrent_build_limit=2,
            source={"type": "NO_SOURCE", "buildspec": spec},
        ),
    )
    a, b = start(client, "two-at-a-time"), start(client, "two-at-a-time")
    wait_build(client, a["id"], ("IN_PROGRESS",))
    wait_build(client, b["id"], ("IN_PROGRESS",))
    gate.touch()
    assert (
        wait_build(client, a["id"])["status"]
        == wait_build(client, b["id"])["status"]
        == "SUCCEEDED"
    )


def test_stop_a_queued_build(client: httpx.Client, gates: Path) -> None:
    gate = gates / "queued-gate"
    spec = buildspec(f"while [ ! -e {gate} ]; do sleep 0.05; done")
    create(client, P, project("queue-stop", source={"type": "NO_SOURCE", "buildspec": spec}))
    first, second = start(client, "queue-stop"), start(client, "queue-stop")
    wait_build(client, first["id"], ("IN_PROGRESS",))
    stopped = client.post(f"{B}/{second['id']}/stop").json()
    assert stopped["status"] == "STOPPED"
    assert stopped["reason"] == "stopped while queued"
    gate.touch()
    assert wait_build(client, first["id"])["status"] == "SUCCEEDED"
    assert client.get(f"{B}/{second['id']}").json()["status"] == "STOPPED"
