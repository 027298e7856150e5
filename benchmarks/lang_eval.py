"""Language benchmark: a large module (5,000 chained locals, a 10,000-element ``for``).

Prints medians of several runs and ratios against references measured in the same run:
python-hcl2's own ``loads`` (parse + convert to plain dicts, no evaluation) on the same text, and
plain Python doing the 10,000-element comprehension. Usage:

    .venv/bin/python benchmarks/lang_eval.py [--runs N] [--locals N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import hcl2

from gitterra import config, lang
from gitterra.kits import LocalFileSystem
from gitterra.lang import functions


def module_text(n_locals: int) -> str:
    lines = ["locals {", '  l0 = "start"']
    for i in range(1, n_locals):
        if i % 5 == 0:
            lines.append(f'  l{i} = "v-${{local.l{i - 1}}}-${{upper("x")}}"')
        elif i % 5 == 1:
            lines.append(f"  l{i} = length(local.l{i - 1}) + {i}")
        else:
            lines.append(f"  l{i} = local.l{i - 1} + 1")
    lines += [
        "  nums = flatten([for i in range(100) : [for j in range(100) : i * 100 + j]])",
        '  big  = [for x in local.nums : "item-${x}" if x % 2 == 0]',
        '  obj  = { for x in local.nums : "k${x}" => x * 2 }',
        "}",
    ]
    return "\n".join(lines) + "\n"


def timed(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    samples = []
    result: object = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result


def peak_memory(fn: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--locals", type=int, default=5000)
    args = parser.parse_args()
    text = module_text(args.locals)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "main.tf").write_text(text)
        os.chdir(tmp)
        fs = LocalFileSystem(".")
        fctx = lang.function_context(fs, functions.builtins())
        opts = config.ScopeOptions(cwd=tmp)

        def load() -> config.Module:
            module, diags = config.load_module(fs, ".")
            assert not diags.has_errors, list(diags)[:3]
            return module

        t_load, module = timed(load, args.runs)
        assert isinstance(module, config.Module)

        def evaluate() -> lang.Scope:
            scope, diags = config.module_scope(module, fctx, opts)
            assert not diags.has_errors, list(diags)[:3]
            return scope

        t_eval, scope = timed(evaluate, args.runs)
        t_validate, _ = timed(lambda: config.validate(module, fctx, opts), args.runs)
        t_hcl2, _ = timed(lambda: hcl2.loads(text), args.runs)

        big_expr = lang.parse_expression(
            '[for x in local.nums : "item-${x}" if x % 2 == 0]', lang.Origin("<bench>")
        )
        assert isinstance(scope, lang.Scope)
        t_for, value = timed(lambda: lang.evaluate(big_expr, scope), args.runs)
        assert isinstance(value, lang.Value)
        assert len(value.elements()) == 5000
        nums = list(range(10000))
        t_py, _ = timed(lambda: [f"item-{x}" for x in nums if x % 2 == 0], args.runs)
        mem_load = peak_memory(load)
        mem_eval = peak_memory(evaluate)

    print(
        f"module: {args.locals} chained locals + a 10,000-element for; {len(text) / 1024:.0f} KiB"
    )
    print(f"runs: {args.runs} (medians), Python {sys.version.split()[0]}")
    print(f"  parse + decode (gitterra)      {t_load * 1000:8.1f} ms")
    print(
        f"  parse + to dict (python-hcl2)  {t_hcl2 * 1000:8.1f} ms   ratio {t_load / t_hcl2:5.2f}x"
    )
    per_local = t_eval / (args.locals + 3) * 1e6
    print(
        f"  evaluate all locals            {t_eval * 1000:8.1f} ms   ({per_local:.1f} us per local)"
    )
    print(f"  validate (refs, types, eval)   {t_validate * 1000:8.1f} ms")
    print(f"  10,000-element for expression  {t_for * 1000:8.1f} ms")
    print(f"  same comprehension in Python   {t_py * 1000:8.1f} ms   ratio {t_for / t_py:5.0f}x")
    print(f"  peak memory: load {mem_load / 2**20:.1f} MiB, evaluate {mem_eval / 2**20:.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
