"""What the benchmark scripts share: the command line, timing, and the JSON output."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

# ``benchmarks/learning.py`` is named like the ``learning`` package, and a script's own folder comes first on
# ``sys.path``: import the package once without this folder, so every later ``import learning`` (and ``agi``'s)
# finds it.
_path, sys.path[:] = sys.path[:], [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
import learning  # noqa: E402, F401

sys.path[:] = _path


def parse_args(doc: str, argv=None, quick_repeats=3, full_repeats=7):
    """``[--quick] [--json PATH] [--repeats N]``; returns ``(args, repeats)``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="fewer steps and repeats (< 2 minutes)")
    p.add_argument("--json", type=Path, help="write the rows here as a JSON list")
    p.add_argument("--repeats", type=int, default=None, help="timings per figure (the median is reported)")
    args = p.parse_args(argv)
    return args, args.repeats or (quick_repeats if args.quick else full_repeats)


def median_time(fn, repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def inplace_pass_gbytes(n_floats: int, steps: int, repeats: int) -> float:
    """GB/s of an in-place read+write pass over ``n_floats`` f32 values, ``steps`` times in one jitted loop (the
    bandwidth ceiling the update benchmarks measure in the same run)."""
    import jax
    import jax.numpy as jnp

    f = jax.jit(lambda x: jax.lax.fori_loop(0, steps, lambda i, x: x * 0.999 + 0.001, x), donate_argnums=0)
    holder = {"x": jnp.ones((max(1, n_floats),), jnp.float32)}

    def run():
        holder["x"] = jax.block_until_ready(f(holder["x"]))

    return steps * 2 * max(1, n_floats) * 4 / median_time(run, repeats) / 1e9


def matmul_gflops(repeats: int, n: int = 1024) -> float:
    """GFLOP/s of an ``n × n`` f32 matrix product (the compute ceiling)."""
    import jax
    import jax.numpy as jnp

    a = jnp.ones((n, n), jnp.float32)
    f = jax.jit(lambda a: a @ a)
    return 2 * n**3 / median_time(lambda: jax.block_until_ready(f(a)), repeats) / 1e9


def median_chunk_time(chunk, state, args_of, repeats: int) -> float:
    """Median wall time of ``state, out = chunk(state, *args_of(r))`` over ``repeats`` calls (the state is donated
    and carried from call to call), after one warm-up call with ``args_of(-1)``."""
    import jax

    state, _ = jax.block_until_ready(chunk(state, *args_of(-1)))
    times = []
    for r in range(repeats):
        t = time.perf_counter()
        state, out = chunk(state, *args_of(r))
        jax.block_until_ready(out)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def write_json(path, rows):
    """``{"provenance": code commit, versions, devices; "rows": rows}`` (``agi.rundir.provenance``)."""
    if path:
        from agi.rundir import provenance, write_json

        path.parent.mkdir(parents=True, exist_ok=True)
        write_json(path, {"provenance": provenance(), "rows": rows})


def read_rows(path) -> list:
    """The rows of a file written by ``write_json`` (or of an older one that held only the list)."""
    data = json.loads(Path(path).read_text())
    return data["rows"] if isinstance(data, dict) else data
