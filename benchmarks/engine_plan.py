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
    parts.append(f'output "last" {{\n  value = terraform_data.r{n - 1}.output\n}}\n')
    return "".join(parts)


def measure(fn: Callable[[], Any]) -> tuple[float, int, Any]:
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = fn()
        return time.perf_counter() - start, tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def one_run(n: int) -> dict[str, tuple[float, int]]:
    """Load, plan, apply and no-op plan once in a fresh directory: (seconds, peak bytes)."""
    out: dict[str, tuple[float, int]] = {}
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
        out["load"] = (t, m)

        def plan(prior: state.State) -> engine.Plan:
            result, diags = asyncio.run(engine.plan(module, prior, registry, {}, fctx, tmp))
            assert not diags.has_errors, list(diags)[:3]
            return result

        t, m, the_plan = measure(lambda: plan(state.State.new()))
        out["plan"] = (t, m)

        async def persist(snapshot: state.State) -> None:
            write = functools.partial(manager.persist, snapshot, copy_on_write=True)
            await asyncio.to_thread(write)

        def apply() -> state.State:
            final, diags = asyncio.run(engine.apply(the_plan, module, registry, fctx, tmp, persist))
            assert not diags.has_errors, list(diags)[:3]
            return final

        t, m, final = measure(apply)
        out["apply"] = (t, m)
        t, m, again = measure(lambda: plan(final))
        assert not again.has_changes
        out["noop plan"] = (t, m)
        t, m, _ = measure(
            lambda: asyncio.run(engine.apply(again, module, registry, fctx, tmp, persist))
        )
        out["noop apply"] = (t, m)
    return out


PHASES = ("load", "plan", "apply", "noop plan", "noop apply")


def run_size(n: int, runs: int) -> dict[str, tuple[float, float]]:
    results = [one_run(n) for _ in range(runs)]
    return {
        phase: (
            statistics.median(r[phase][0] for r in results),
            statistics.median(r[phase][1] for r in results) / 2**20,
        )
        for phase in PHASES
    }


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
    for phase in PHASES:
        row = f"  {phase:<12}"
        for n in sizes:
            t, mem = results[n][phase]
            row += f"{t:>14.2f} s{mem:>10.1f}"
        print(row)
    if len(sizes) >= 2:
        a, b = sizes[0], sizes[-1]
        print(f"  growth {a} -> {b} ({b / a:.0f}x resources):")
        for phase in PHASES:
            print(f"    {phase:<12} time x{results[b][phase][0] / results[a][phase][0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
