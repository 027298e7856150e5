"""Benchmark: from `git push` to the new page served by every instance — Fox-or-Bear for real.

Run: ``.venv/bin/python benchmarks/commit_to_live.py [--changes 10] [--clients 4]``

Starts a private ``gitterra server``, runs ``gitterra new`` and applies the pipeline (as
``gitterra demo`` does), deploys, scales 1 → 2 instances, then makes ``--changes`` site changes
(Fox ↔ Bear), each a commit and a ``git push`` to main, while ``--clients`` keep-alive clients
request the site without pause. Printed: for the scale commit and for each site change, the
time from ``git push`` returning to (a) the build's end and (b) every instance serving the new
page through the balancer (no instance answering the old one in a window of requests), with
p50/p90, the requests served and failed during all rollouts, and the ratio to the seed, whose
build deleted and recreated the group on each commit: about 5 minutes, with the site down.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from gitterra.cli import _demo_kit as kit
from gitterra.cli import _new
from gitterra.cli._demo import IDENTITY, _Quiet, _swap
from gitterra.cli._repo import Api

#: The seed's own figure for a deploy (its article: the group is deleted and recreated, about
#: five minutes, during which the site is down).
SEED_SECONDS = 300.0
DEADLINE = 600.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    os.environ.update(IDENTITY)
    server = kit.PrivateServer.start(time.monotonic() + DEADLINE)
    os.environ.update(GITTERRA_ENDPOINT=server.url, GITTERRA_TOKEN=server.token)
    api = Api(server.url, server.token)
    work = Path(tempfile.mkdtemp(prefix="gitterra-bench-"))
    try:
        run(api, work / "fob", work / "logs.txt", args.changes, args.clients)
    finally:
        api.close()
        server.stop()


def run(api: Api, project: Path, log: Path, changes: int, clients: int) -> None:
    _new.create(_Quiet(), api, project, "fob")
    pipeline = project / "deployment-pipeline"
    kit.gitterra(pipeline, log, "init", "-input=false")
    kit.gitterra(pipeline, log, "apply", "-auto-approve", "-input=false")
    first = api.call("POST", "/codebuild/builds", {"project_name": "fob"})
    kit.wait_build(api, first["id"], time.monotonic() + DEADLINE)
    site = kit.until("the site", lambda: kit.site_url(api, "fob"), time.monotonic() + DEADLINE)
    serving(site, "Fox", 1)

    asg = project / "infra" / "asg.tf"
    asg.write_text(asg.read_text().replace("desired_capacity = 1", "desired_capacity = 2"))
    build_s, live_s = push_and_wait(api, project, "Scale to 2", site, "Fox", 2)
    print(f"scale 1 -> 2: build done {build_s:.1f} s after the push, ", end="")
    print(f"2 instances serving {live_s:.1f} s")

    load = kit.Load(site, clients=clients)
    load.start()
    builds, lives = [], []
    try:
        shown = "Fox"
        for i in range(changes):
            index = project / "www" / "index.html"
            text = index.read_text()
            index.write_text(_swap(text) if shown == "Fox" else _unswap(text))
            shown = "Bear" if shown == "Fox" else "Fox"
            build_s, live_s = push_and_wait(
                api, project, f"Change {i + 1}: {shown}", site, shown, 2
            )
            builds.append(build_s)
            lives.append(live_s)
            print(
                f"change {i + 1:2d} ({shown:4s}): build done {build_s:5.1f} s, live {live_s:5.1f} s"
            )
    finally:
        load.stop()
    p50, p90 = percentile(lives, 50), percentile(lives, 90)
    print()
    print(f"commit to live over {len(lives)} site changes, 2 instances:")
    b50, b90 = percentile(builds, 50), percentile(builds, 90)
    print(f"  push -> build done   p50 {b50:6.1f} s   p90 {b90:6.1f} s")
    print(f"  push -> every instance serves the new page   p50 {p50:6.1f} s   p90 {p90:6.1f} s")
    print(
        f"  requests during the rollouts: {load.requests}, failed {load.failed} {dict(load.errors)}"
    )
    print(f"  the seed: about {SEED_SECONDS:.0f} s per deploy with the site down;", end=" ")
    print(f"here {SEED_SECONDS / p50:.0f}x faster at p50, with {load.failed} failed requests")


def push_and_wait(
    api: Api, project: Path, message: str, site: str, shown: str, instances: int
) -> tuple[float, float]:
    kit.git(project, "commit", "--quiet", "--all", "--message", message)
    kit.git(project, "push", "--quiet")
    pushed = time.monotonic()
    sha = kit.git(project, "rev-parse", "HEAD")
    doc = kit.build_of_commit(api, "fob", sha, pushed + DEADLINE)
    done = kit.wait_build(api, doc["id"], pushed + DEADLINE)
    if done["status"] != "SUCCEEDED":
        sys.exit(
            f"build {doc['id']} ended {done['status']}:\n{kit.build_log(api, doc['id'])[-3000:]}"
        )
    build_s = time.monotonic() - pushed
    serving(site, shown, instances, pushed + DEADLINE)
    return build_s, time.monotonic() - pushed


def serving(site: str, shown: str, instances: int, deadline: float | None = None) -> None:
    """Wait until ``instances`` instances answer, all with ``shown``, in a window of requests."""

    def all_new() -> bool:
        seen: dict[str, str | None] = {}
        with httpx.Client(timeout=10) as client:
            for _ in range(6 * instances):
                animal, instance = kit.answer(client, site)
                seen[instance or "?"] = animal
        return len(seen) >= instances and all(a == shown for a in seen.values())

    kit.until(
        f"{instances} instances serving the {shown}",
        all_new,
        deadline or time.monotonic() + DEADLINE,
        0.1,
    )


def _unswap(html: str) -> str:
    fox = '<h1>Fox</h1> <img src="fox.svg" alt="A Fox">'
    bear = '<h1>Bear</h1> <img src="bear.svg" alt="A Bear">'
    return html.replace(f"<!-- {fox} -->", fox).replace(bear, f"<!-- {bear} -->", 1)


def percentile(values: list[float], p: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


if __name__ == "__main__":
    main()
