"""Benchmark: the dashboard's pages with a thousand builds.

Run: ``.venv/bin/python benchmarks/dashboard.py [--builds 1000] [--deliveries 1000] [--runs 20]``

1. A real ``gitterra server`` gets a real build project whose build prints a plan, an apply and
   a hundred log lines, a real site (balancer, listener, target group, auto scaling group of two
   serving instances) with a Terraform state naming it, and one real refused webhook delivery.
2. The server is stopped; the build (its document and its log) and the delivery are copied in
   the store until there are ``--builds`` and ``--deliveries`` of them, with mixed statuses.
3. The server starts again on that data dir; a client logs in through the form and requests
   each page ``--runs`` times after one warm-up. Printed: the first page's time after the
   start (the server fills the dashboard's caches as it starts), then the median and p90 of
   each page's time, request to last byte, over HTTP on 127.0.0.1 (the ``/metrics`` scrape
   included, with the bearer token).

The target: every page well under 100 ms at a thousand builds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from gitterra.cloud import Store

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.cloud.codebuild.conftest import buildspec
from tests.dashboard import world

GITTERRA = Path(sys.executable).parent / "gitterra"
STATUSES = ("SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "FAILED", "STOPPED")


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


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def prepare(data: Path) -> None:
    proc, url, token = start_server(data)
    try:
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api:
            world.terraform_project(api, "site")
            api.patch(
                "/api/v1/codebuild/projects/site",
                json={
                    "source": {
                        "type": "NO_SOURCE",
                        "buildspec": buildspec(
                            'for i in $(seq 1 100); do echo "step $i of the build"; done',
                            f"printf '{world.PLAN}\\n'",
                            f"printf '{world.APPLY}\\n'",
                        ),
                    }
                },
            ).raise_for_status()
            build = world.run_build(api, "site")
            assert build["status"] == "SUCCEEDED", build
            made = world.site(api, "web", desired=2)
            world.put_state(api, "site", made, [])
            hook = world.github_project(api, "forge")
            httpx.post(hook["payload_url"], content=b"{}", headers={"X-GitHub-Event": "push"})
    finally:
        stop_server(proc)


def multiply(data: Path, builds: int, deliveries: int) -> None:
    store = Store(data / "cloud.db")
    try:
        [template] = store.find("codebuild_build")
        [delivery] = store.find("codebuild_delivery")
        log = (
            data / "builds" / "site" / template["id"].partition(":")[2] / "build.log"
        ).read_bytes()
        base = datetime.now(UTC) - timedelta(hours=builds)
        with store.transaction():
            for n in range(2, builds + 1):
                uid = str(uuid.uuid4())
                doc = json.loads(json.dumps(template))
                at = (base + timedelta(hours=n)).isoformat(timespec="milliseconds")
                doc.update(
                    id=f"site:{uid}",
                    build_number=n,
                    status=STATUSES[n % len(STATUSES)],
                    queued_at=at.replace("+00:00", "Z"),
                    resolved_source_version=f"{n:040x}",
                )
                store.put("codebuild_build", doc["id"], doc)
                folder = data / "builds" / "site" / uid
                folder.mkdir(parents=True)
                (folder / "build.log").write_bytes(log)
            for n in range(2, deliveries + 1):
                copy = {**delivery, "id": f"{time.time_ns():020d}-{n:08x}"}
                store.put("codebuild_delivery", copy["id"], copy)
    finally:
        store.close()


def measure(url: str, token: str, runs: int) -> list[tuple[str, float, float]]:
    dash = world.login(url, token)
    try:
        started = time.perf_counter()
        newest = world.page(dash, "/builds?limit=1")
        first = (time.perf_counter() - started) * 1000
        build_path = newest.split('href="/builds/', 1)[1].split('"', 1)[0]
        pages = [
            "/",
            "/builds",
            f"/builds/{build_path}",
            "/timeline",
            "/infrastructure",
            "/deliveries",
            "/pulls",
            "/projects/site",
            "/metrics",
        ]
        out = [("(the first page after the start)", first, first)]
        for path in pages:
            headers = {"Authorization": f"Bearer {token}"} if path == "/metrics" else {}
            times = []
            for i in range(runs + 1):
                started = time.perf_counter()
                r = dash.get(path, headers=headers)
                took = time.perf_counter() - started
                assert r.status_code == 200, (path, r.status_code, r.text[:500])
                if i:  # the first is the warm-up
                    times.append(took * 1000)
            times.sort()
            p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
            out.append((path, statistics.median(times), p90))
        return out
    finally:
        dash.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--builds", type=int, default=1000)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="gitterra-dashboard-bench-"))
    data = base / "data"
    try:
        print(f"load average {os.getloadavg()[0]:.2f}; preparing {args.builds} builds …")
        prepare(data)
        multiply(data, args.builds, args.deliveries)
        proc, url, token = start_server(data)
        try:
            results = measure(url, token, args.runs)
        finally:
            stop_server(proc)
        print(f"{'page':<52} {'median':>9} {'p90':>9}")
        for path, median, p90 in results:
            shown = path if len(path) <= 50 else path[:47] + "…"
            print(f"{shown:<52} {median:>7.1f}ms {p90:>7.1f}ms")
        worst = max(m for _, m, _ in results[1:])
        print(f"slowest median {worst:.1f} ms ({args.builds} builds, {args.deliveries} deliveries)")
        return 0
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
