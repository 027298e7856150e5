"""Benchmark: gitterra's balancer data plane against nginx proxying the same backend.

Run: ``.venv/bin/python benchmarks/balancer.py [--duration 5] [--connections 1,10,50,200]``

In one run, on this machine: an nginx backend serves a 1 KiB file; nginx (one worker, upstream
keep-alive) and our data plane (one process; uvloop when installed, and the default asyncio
loop) each proxy it; wrk loads the backend directly and each proxy at a few concurrency levels.
Printed: requests/s and p50/p99 latency per proxy and level, our figures over nginx's (ratios
of throughput, and of latency: below 1 is better for latency), and resident memory.

nginx and wrk come from Debian: when missing, the script runs ``apt-get update`` and
``apt-get install -y nginx wrk`` (as root) and says so.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def ensure_tools() -> None:
    missing = [t for t in ("nginx", "wrk") if shutil.which(t) is None]
    if not missing:
        print("nginx and wrk: already installed")
        return
    packages = ["nginx" if t == "nginx" else "wrk" for t in missing]
    if os.geteuid() != 0:
        sys.exit(f"missing {', '.join(missing)}: install {' '.join(packages)} (needs root)")
    print(f"installing from Debian: {' '.join(packages)} (apt-get update; apt-get install -y)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], check=True, env=env)
    for p in packages:
        version = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", p], capture_output=True, text=True
        ).stdout
        print(f"installed {p} {version}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def nginx_conf(workdir: Path, name: str, body: str) -> Path:
    user = "user root;" if os.geteuid() == 0 else ""
    temp = " ".join(
        f"{k}_temp_path {workdir}/{name}-{k};"
        for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = workdir / f"{name}.conf"
    conf.write_text(
        f"""worker_processes 1;
daemon off;
{user}
pid {workdir}/{name}.pid;
error_log {workdir}/{name}-error.log warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    {temp}
    {body}
}}
"""
    )
    return conf


def start_nginx(conf: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["nginx", "-c", str(conf), "-e", "stderr"], stderr=subprocess.PIPE)


def wait_port(port: int, deadline: float = 30.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def wrk(port: int, connections: int, duration: float) -> tuple[float, float, float]:
    """(requests/s, p50 seconds, p99 seconds) of one wrk run."""
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--latency",
            f"http://127.0.0.1:{port}/index.html",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        print(out)
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert found is not None, out
    rps = float(found.group(1))

    def pct(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out)
        assert m is not None, out
        return float(m.group(1)) * _UNITS[m.group(2)]

    return rps, pct("50"), pct("99")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def nginx_worker(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0]) if children else master


async def serve_balancer(backend_port: int, loop_name: str) -> None:
    """The balancer process: one listener forwarding to the backend; prints its port."""
    from gitterra.cloud.elb import dataplane as dp

    plane = dp.DataPlane()
    await plane.start()
    hc = dp.HealthCheck(path="/index.html", interval=5, timeout=2, healthy_threshold=1)
    plane.configure_target_group("tg", dp.TargetGroupSettings(health_check=hc))
    plane.set_targets("tg", [dp.Target("backend", "127.0.0.1", backend_port)])
    _, port = await plane.bind_listener(
        "l", "127.0.0.1", 0, dp.ListenerConfig(dp.ForwardAction("tg"))
    )
    while plane.target_health("tg")[0].state != "healthy":
        await asyncio.sleep(0.05)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print(port, loop_name, flush=True)
    await stop.wait()
    await plane.stop(grace=1.0)


def start_balancer(backend_port: int, use_uvloop: bool) -> tuple[subprocess.Popen[str], int]:
    argv = [sys.executable, __file__, "--serve-balancer", str(backend_port)]
    if use_uvloop:
        argv.append("--uvloop")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[0])
    return proc, port


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--duration", type=float, default=5.0)
    ap.add_argument("--connections", default="1,10,50,200")
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs per figure, the best kept (a busy machine)"
    )
    ap.add_argument("--serve-balancer", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--uvloop", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.serve_balancer:
        if args.uvloop:
            import uvloop

            uvloop.run(serve_balancer(args.serve_balancer, "uvloop"))
        else:
            asyncio.run(serve_balancer(args.serve_balancer, "asyncio"))
        return
    run_all(args.duration, [int(c) for c in args.connections.split(",")], args.repeat)


def run_all(duration: float, levels: list[int], repeat: int) -> None:
    ensure_tools()
    try:
        import uvloop  # noqa: F401  (only whether it is there)

        loops = [("ours (uvloop)", True), ("ours (asyncio)", False)]
    except ImportError:
        print("uvloop is not installed (pip install 'gitterra[fast]'): default asyncio loop only")
        loops = [("ours (asyncio)", False)]
    procs: list[subprocess.Popen[str] | subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="gitterra-bench-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)
        (work / "www").mkdir()
        (work / "www" / "index.html").write_bytes(b"x" * 1023 + b"\n")
        bp, pp = free_port(), free_port()
        backend = f"server {{ listen 127.0.0.1:{bp}; location / {{ root {work}/www; }} }}"
        proxy = (
            f"upstream backend {{ server 127.0.0.1:{bp}; keepalive 64; }}\n"
            f"server {{ listen 127.0.0.1:{pp}; location / {{ proxy_pass http://backend;"
            " proxy_http_version 1.1; proxy_set_header Connection '';"
            " proxy_set_header Host $http_host;"
            " proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"
            " proxy_set_header X-Forwarded-Proto $scheme;"
            " proxy_set_header X-Forwarded-Port $server_port; } }"
        )
        try:
            procs.append(start_nginx(nginx_conf(work, "backend", backend)))
            procs.append(start_nginx(nginx_conf(work, "proxy", proxy)))
            wait_port(bp)
            wait_port(pp)
            targets: list[tuple[str, int, int]] = [("backend direct", bp, 0)]
            targets.append(("nginx proxy", pp, nginx_worker(procs[1].pid)))
            for name, use_uv in loops:
                proc, port = start_balancer(bp, use_uv)
                procs.append(proc)
                targets.append((name, port, proc.pid))
            report(targets, levels, duration, repeat)
        finally:
            for p in procs:
                p.send_signal(signal.SIGTERM)
            for p in procs:
                p.wait(timeout=30)


def report(
    targets: list[tuple[str, int, int]], levels: list[int], duration: float, repeat: int
) -> None:
    results: dict[tuple[str, int], tuple[float, float, float]] = {}
    best = f", best of {repeat} interleaved runs" if repeat > 1 else ""
    print(f"\nwrk -t1 -d{duration:g}s, 1 KiB body, {os.cpu_count()} CPUs{best}")
    print(f"load average before: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}\n")
    print(f"{'target':<16} {'conns':>5} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
    for c in levels:
        for _name, port, _ in targets:
            wrk(port, c, 1.0)  # warm up (pools, caches)
        for _ in range(repeat):
            for name, port, _ in targets:
                run = wrk(port, c, duration)
                if (name, c) not in results or run[0] > results[name, c][0]:
                    results[name, c] = run
        for name, _, _ in targets:
            rps, p50, p99 = results[name, c]
            print(f"{name:<16} {c:>5} {rps:>10.0f} {p50 * 1e3:>8.2f} {p99 * 1e3:>8.2f}")
        print()
    print("ours / nginx     conns   req/s    p50     p99")
    for name, _, _ in targets[2:]:
        for c in levels:
            o, n = results[name, c], results["nginx proxy", c]
            print(f"{name:<16} {c:>5} {o[0] / n[0]:>7.2f} {o[1] / n[1]:>7.2f} {o[2] / n[2]:>7.2f}")
    print("\nresident memory after the runs:")
    for name, _, pid in targets[1:]:
        print(f"  {name:<16} {rss_kib(pid) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
