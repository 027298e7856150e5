"""Benchmark: webhook deliveries into a real ``gitterra server``.

Run: ``.venv/bin/python benchmarks/webhooks.py [--deliveries 500] [--concurrency 8] [--builds 20]``

1. Throughput: signed GitHub push deliveries to a webhook whose filter group matches nothing, so
   each is verified, parsed, matched, recorded (durably, before the answer) and answered 202
   without a build: verified deliveries accepted per second.
2. Latency: deliveries that each queue a build of a real repository (served over git's dumb HTTP
   by a local file server, as a forge would serve it); the buildspec's first command records the
   time it starts. From sending the delivery to that first command: p50 and p90, one build at a
   time (fetch, checkout, buildspec and shell start included).
3. The same from a ``git push`` to the server's own git host (the push itself included).

Everything runs on 127.0.0.1 with ports the OS picks; the server and file server are stopped at
the end.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import hmac
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

GITTERRA = Path(sys.executable).parent / "gitterra"
ENV = {
    "GIT_AUTHOR_NAME": "b",
    "GIT_AUTHOR_EMAIL": "b@b",
    "GIT_COMMITTER_NAME": "b",
    "GIT_COMMITTER_EMAIL": "b@b",
}


def git(*args: str, cwd: Path) -> str:
    out = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **ENV},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    proc = subprocess.Popen(
        [str(GITTERRA), "server", "--data-dir", str(data), "--listen", "127.0.0.1:0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            info = json.loads((data / "server.json").read_text())
            if info["pid"] == proc.pid and httpx.get(info["url"] + "/healthz").status_code == 200:
                return proc, info["url"], (data / "token").read_text().strip()
        except (OSError, ValueError, KeyError, httpx.TransportError):
            pass
        time.sleep(0.05)
    proc.kill()
    sys.exit("the server did not start")


def payload(sha: str, before: str, ref: str = "refs/heads/main") -> bytes:
    commit = {"id": sha, "message": "bench", "added": [], "removed": [], "modified": ["f"]}
    return json.dumps(
        {
            "ref": ref,
            "before": before,
            "after": sha,
            "created": False,
            "deleted": False,
            "forced": False,
            "commits": [commit],
            "head_commit": commit,
            "pusher": {"name": "bench"},
            "sender": {"login": "bench", "id": 1},
            "repository": {"full_name": "b/site", "clone_url": "x"},
        }
    ).encode()


def signed(secret: str, body: bytes, delivery: str) -> dict[str, str]:
    return {
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": delivery,
        "Content-Type": "application/json",
        "X-Hub-Signature-256": "sha256="
        + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }


def project(api: httpx.Client, name: str, location: str, head_ref: str) -> dict[str, Any]:
    api.post(
        "/api/v1/codebuild/projects",
        json={
            "name": name,
            "source": {"type": "GITHUB", "location": location},
            "environment": {
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": "x",
                "type": "LINUX_CONTAINER",
            },
        },
    ).raise_for_status()
    groups = [
        {
            "filter": [
                {"type": "EVENT", "pattern": "PUSH"},
                {"type": "HEAD_REF", "pattern": head_ref},
            ]
        }
    ]
    hook = api.post(
        "/api/v1/codebuild/webhooks", json={"project_name": name, "filter_group": groups}
    )
    hook.raise_for_status()
    result: dict[str, Any] = hook.json()
    return result


def throughput(
    api: httpx.Client, hook: dict[str, Any], sha: str, count: int, concurrency: int
) -> float:
    body = payload(sha, "0" * 40)
    local = threading.local()

    def send(i: int) -> int:
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=60)
        r = local.client.post(
            hook["payload_url"], content=body, headers=signed(hook["secret"], body, f"tp-{i}")
        )
        return r.status_code

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        codes = list(pool.map(send, range(count)))
    elapsed = time.perf_counter() - started
    assert set(codes) == {202}, set(codes)
    return count / elapsed


def latency(
    api: httpx.Client, hook: dict[str, Any], sha: str, marker: Path, count: int
) -> list[float]:
    body = payload(sha, "0" * 40)
    samples = []
    for i in range(count):
        marker.unlink(missing_ok=True)
        sent = time.time()
        r = api.post(
            hook["payload_url"], content=body, headers=signed(hook["secret"], body, f"lat-{i}")
        )
        assert r.status_code == 202, r.text
        [build_id] = r.json()["builds"]
        samples.append(wait_marker(marker, f"build {build_id}") - sent)
        while api.get(f"/api/v1/codebuild/builds/{build_id}").json()["status"] in (
            "QUEUED",
            "IN_PROGRESS",
        ):
            time.sleep(0.01)
    return samples


def wait_marker(marker: Path, what: str) -> float:
    deadline = time.monotonic() + 120
    while not marker.exists() or not marker.read_text().strip():
        if time.monotonic() > deadline:
            sys.exit(f"{what} did not start its first command")
        time.sleep(0.002)
    return float(marker.read_text())


def push_latency(
    api: httpx.Client, url: str, token: str, root: Path, spec: str, count: int
) -> list[float]:
    repo = api.post("/api/v1/repositories", json={"name": "bench-push"})
    repo.raise_for_status()
    clone_url = repo.json()["clone_url"]
    api.post(
        "/api/v1/codebuild/projects",
        json={
            "name": "bench-push",
            "source": {"type": "GITTERRA", "location": "bench-push", "git_clone_depth": 1},
            "environment": {
                "compute_type": "BUILD_GENERAL1_SMALL",
                "image": "x",
                "type": "LINUX_CONTAINER",
            },
        },
    ).raise_for_status()
    groups = [{"filter": [{"type": "EVENT", "pattern": "PUSH"}]}]
    api.post(
        "/api/v1/codebuild/webhooks", json={"project_name": "bench-push", "filter_group": groups}
    ).raise_for_status()
    work = root / "push-work"
    git("init", "-q", "-b", "main", str(work), cwd=root)
    git("remote", "add", "origin", clone_url.replace("http://", f"http://bench:{token}@"), cwd=work)
    (work / "buildspec.yml").write_text(spec.replace("first-command", "first-push-command"))
    marker = root / "first-push-command"
    samples = []
    for i in range(count):
        marker.unlink(missing_ok=True)
        (work / "n").write_text(str(i))
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", f"push {i}", cwd=work)
        sent = time.time()
        git("push", "-q", "origin", "main", cwd=work)
        samples.append(wait_marker(marker, f"push {i}") - sent)
        while any(
            b["status"] in ("QUEUED", "IN_PROGRESS")
            for b in api.get("/api/v1/codebuild/builds", params={"project": "bench-push"}).json()[
                "items"
            ]
        ):
            time.sleep(0.01)
    return samples


def report(what: str, samples: list[float]) -> None:
    q = statistics.quantiles(samples, n=10)
    p50 = statistics.median(samples) * 1000
    print(
        f"{what} -> first buildspec command: p50 {p50:.0f} ms, p90 {q[8] * 1000:.0f} ms "
        f"({len(samples)} builds, one at a time)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--builds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gitterra-bench-") as tmp:
        root = Path(tmp)
        repo, work = root / "files" / "b" / "site.git", root / "work"
        marker = root / "first-command"
        git("init", "-q", "--bare", "-b", "main", str(repo), cwd=root)
        git("init", "-q", "-b", "main", str(work), cwd=root)
        spec = f"version: 0.2\nphases:\n  build:\n    commands:\n      - date +%s.%N > {marker}\n"
        (work / "buildspec.yml").write_text(spec)
        git("add", "-A", cwd=work)
        git("commit", "-q", "-m", "bench", cwd=work)
        git("push", "-q", str(repo), "HEAD:refs/heads/main", cwd=work)
        git("update-server-info", cwd=repo)
        sha = git("rev-parse", "HEAD", cwd=work)
        files = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root / "files"))
        )
        threading.Thread(target=files.serve_forever, daemon=True).start()
        location = f"http://127.0.0.1:{files.server_address[1]}/b/site.git"
        proc, url, token = start_server(root / "data")
        try:
            with httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
            ) as api:
                quiet = project(api, "bench-filtered", location, "^refs/heads/never$")
                rate = throughput(api, quiet, sha, args.deliveries, args.concurrency)
                print(
                    f"verified deliveries accepted: {rate:.0f}/s ({args.deliveries} deliveries, "
                    f"{args.concurrency} at a time, no build)"
                )
                hook = project(api, "bench-build", location, "^refs/heads/main$")
                report("delivery", latency(api, hook, sha, marker, args.builds))
                report("git push", push_latency(api, url, token, root, spec, args.builds))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(60)
            files.shutdown()


if __name__ == "__main__":
    main()
