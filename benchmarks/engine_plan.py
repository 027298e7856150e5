"""Engine benchmark: plan, apply and no-op plan of N ``terraform_data`` resources, each
referring to the previous one (a chain, the worst case for dependency order).

Reports medians of wall time and peak memory (tracemalloc) per phase, and how cost grows from
1,000 to 10,000 resources (the ratio; 10.0 means linear). The state is persisted through the
real ``local`` backend after every resource, as an apply does. Usage:

    .venv/bin/python benchmarks/engine_plan.py [--sizes 1000,10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitterra import backends, config, engine, lang, providers, state
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions


def module_text(n: int) -> str:
    parts = ['resource "terraform_data" "r0" {\n  input = "start"\n}\n']
    for i in range(1, n):
        ref = f"${{terraform_data.r{i - 1}.id}}-{i}"
        parts.append(f'resource "terraform_data" "r{i}" {{\n  input = "{ref}"\n}}\n')
    parts.append('output "last" {\n  value = terraform_data.r%d.output\n}\n' % (n - 1))
    return "".join(parts)


def measure(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = fn()
        return time.perf_counter() - start, tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def run_size(n: int, runs: int) -> dict[str, tuple[float, float]]:
    times: dict[str, list[float]] = {"load": [], "plan": [], "apply": [], "noop plan": []}
    peaks: dict[str, list[int]] = {k: [] for k in times}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "main.tf").write_text(module_text(n))
            os.chdir(tmp)
            fs = LocalFileSystem(".")
            fctx = lang.function_context(fs, functions.builtins())
            registry = providers.builtin_registry()
            manager = state.Manager(backends.configure("local", {}, {}, tmp).client("default"))
            manager.lock("benchmark", 0)  # as apply holds it: no re-read before each write

            def load() -> config.Module:
                module, diags = config.load_module(fs, ".")
                assert not diags.has_errors
                return module

            t, m, module = measure(load)
            times["load"].append(t)
            peaks["load"].append(m)

            def plan(prior: state.State) -> engine.Plan:
                result, diags = asyncio.run(engine.plan(module, prior, registry, {}, fctx, tmp))
                assert not diags.has_errors, list(diags)[:3]
                return result

            t, m, the_plan = measure(lambda: plan(state.State.new()))
            times["plan"].append(t)
            peaks["plan"].append(m)

            async def persist(snapshot: state.State) -> None:
                await asyncio.to_thread(
                    functools.partial(manager.persist, snapshot, copy_on_write=True)
                )

            def apply() -> state.State:
                final, diags = asyncio.run(
                    engine.apply(the_plan, module, registry, fctx, tmp, persist)
                )
                assert not diags.has_errors, list(diags)[:3]
                return final

            t, m, final = measure(apply)
            times["apply"].append(t)
            peaks["apply"].append(m)
            t, m, again = measure(lambda: plan(final))
            assert not again.has_changes
            times["noop plan"].append(t)
            peaks["noop plan"].append(m)
    return {k: (statistics.median(times[k]), statistics.median(peaks[k]) / 2**20) for k in times}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {n: run_size(n, args.runs if n <= 1000 else max(1, args.runs // 3)) for n in sizes}
    print(f"terraform_data chains, medians, Python {sys.version.split()[0]}")
    header = "  phase        " + "".join(f"{n:>10} res    peak MiB" for n in sizes)
    print(header)
    for phase in ("load", "plan", "apply", "noop plan"):
        row = f"  {phase:<12}"
        for n in sizes:
            t, mem = results[n][phase]
            row += f"{t:>14.2f} s{mem:>10.1f}"
        print(row)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print(f"  growth {a} -> {b} ({b / a:.0f}x resources):")
        for phase in ("load", "plan", "apply", "noop plan"):
            print(f"    {phase:<12} time x{results[b][phase][0] / results[a][phase][0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
