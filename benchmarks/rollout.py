"""Benchmark: rolling updates on the local cloud, and what instances and the server cost.

Run: ``.venv/bin/python benchmarks/rollout.py [--sizes 2,10] [--runs 3] [--clients 10]``

Starts a real ``gitterra server`` in a temporary data dir. For each size N: an auto scaling
group of N static-site instances behind a load balancer (health checks every 0.5 s, healthy
after 2), then ``--runs`` rolling instance refreshes to a new launch template version
(min_healthy 100 %, max_healthy 200 %, warmup 0) while ``--clients`` keep-alive clients request
the listener without pause. Printed per size: the median (and min/max) time from starting the
refresh to its ``Successful`` status, requests served and failed during the refreshes; memory of
an idle instance (its whole process tree: proportional set size, and resident set size) and of
the server process, which also runs the balancer's data plane.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cloud.autoscaling.site import Hammer, Site, build, poll  # noqa: E402 - after the path

GITTERRA = Path(sys.executable).parent / "gitterra"
DEADLINE = 600.0


@contextlib.contextmanager
def server(data_dir: Path) -> Iterator[tuple[httpx.Client, int]]:
    """A gitterra server on a free port: an authenticated client and the server's pid."""
    log = (data_dir.parent / "server.log").open("wb")
    proc = subprocess.Popen(
        [str(GITTERRA), "server", "--data-dir", str(data_dir), "--listen", "127.0.0.1:0"],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:

        def ready() -> dict[str, object] | None:
            try:
                info = json.loads((data_dir / "server.json").read_text())
                if info.get("pid") == proc.pid:
                    httpx.get(f"{info['url']}/healthz", timeout=5).raise_for_status()
                    return dict(info)
            except (OSError, ValueError, httpx.HTTPError):
                pass
            return None

        info = poll(ready, 120, "the server to start")
        token = (data_dir / "token").read_text().strip()
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=str(info["url"]), headers=headers, timeout=DEADLINE) as client:
            yield client, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
        log.close()


def memory_kib(pid: int, tree: bool = True) -> tuple[int, int]:
    """(PSS, RSS) in KiB of ``pid``, and all its descendants when ``tree``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry.name))
    pss = rss = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        if tree:
            todo.extend(children.get(current, []))
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines():
                key, _, value = line.partition(":")
                if key == "Pss":
                    pss += int(value.split()[0])
                elif key == "Rss":
                    rss += int(value.split()[0])
    return pss, rss


def refresh_once(site: Site, version: str, clients: int) -> tuple[float, int, int]:
    """One rolling refresh under load: (seconds to Successful, requests, failures)."""
    n = site.group_doc()["desired_capacity"]
    hammer = Hammer(site.url, clients=clients).start()
    try:
        hammer.wait_for(50)
        site.new_version(version)
        start = time.perf_counter()
        site.refresh(min_healthy_percentage=100, max_healthy_percentage=200, instance_warmup=0)
        done = poll(
            lambda: (
                site.last_refresh()["status"] not in ("Pending", "InProgress")
                and site.last_refresh()
            ),
            DEADLINE,
            "the refresh",
            interval=0.02,
        )
        seconds = time.perf_counter() - start
    finally:
        outcomes = hammer.stop()
    if done["status"] != "Successful":
        sys.exit(f"refresh of {n} ended {done['status']}: {done['status_reason']}")
    poll(lambda: site.serving(n), DEADLINE, f"{n} instances serving")
    return seconds, len(outcomes), len(hammer.failures())


def bench_size(client: httpx.Client, n: int, runs: int, clients: int) -> dict[str, object]:
    site = build(client, f"bench{n}", desired=n)
    poll(lambda: site.serving(n), DEADLINE, f"{n} instances serving")
    times, requests, failures = [], 0, 0
    for run in range(runs):
        seconds, served, failed = refresh_once(site, f"v{run + 2}", clients)
        times.append(seconds)
        requests += served
        failures += failed
        print(f"  N={n} run {run + 1}: {seconds:.2f}s, {served} requests, {failed} failed")
    idle = [memory_kib(i["pid"]) for i in site.instances(state="running") if i.get("pid")]
    return {
        "site": site,
        "times": times,
        "requests": requests,
        "failures": failures,
        "instance_pss": statistics.median(p for p, _ in idle),
        "instance_rss": statistics.median(r for _, r in idle),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2,10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp, server(Path(tmp) / "data") as (client, pid):
        results = {}
        for n in sizes:
            results[n] = bench_size(client, n, args.runs, args.clients)
        server_pss, server_rss = memory_kib(pid, tree=False)  # its children are the instances
        targets = sum(sizes)
        for n in sizes:
            r = client.delete(f"/api/v1/autoscaling-groups/bench{n}?force_delete=true")
            r.raise_for_status()
    print(
        f"\nrolling refresh (min 100 %, max 200 %, warmup 0), {args.clients} clients, "
        f"{args.runs} runs, on {os.cpu_count()} CPUs:"
    )
    print(f"{'N':>4} {'median s':>9} {'min s':>7} {'max s':>7} {'requests':>9} {'failed':>7}")
    for n, r in results.items():
        t = r["times"]
        assert isinstance(t, list)
        print(
            f"{n:>4} {statistics.median(t):>9.2f} {min(t):>7.2f} {max(t):>7.2f} "
            f"{r['requests']:>9} {r['failures']:>7}"
        )
    print("\nmemory (KiB; PSS counts shared pages proportionally, RSS counts them whole):")
    for n, r in results.items():
        print(
            f"  idle instance (process tree, median of N={n}): PSS {r['instance_pss']:.0f}, "
            f"RSS {r['instance_rss']:.0f}"
        )
    print(
        f"  server process (API, controllers and the balancer data plane; {targets} targets "
        f"registered): PSS {server_pss}, RSS {server_rss}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
