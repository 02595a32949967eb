"""Benchmark: a registered experiment's wall time with each program compiled while its predecessor runs, against
compiling each in line (issue 14: the suite's wall time).

    python benchmarks/compile_ahead.py [--experiment NAME] [--pairs N] [--set KEY=VALUE ...] [--json PATH]

Runs ``agi experiment NAME`` (``--preset default --seeds 8 --set train.num_envs=8``, the registered budget) with
``compile_next`` on and off, alternating which goes first in each pair, in one process on the same seeds, and
prints each run's wall time, the sum of its programs' compile seconds as its runs saw them (the time they waited
for a compile) and the off / on ratio per pair. The results of the two must be identical (checked).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import common


def timed(name: str, sets, compile_next: bool) -> dict:
    from agi.experiments import EXPERIMENTS, run_experiment

    t = time.perf_counter()
    r = run_experiment(EXPERIMENTS[name], "default", progress=False, sets=sets, seeds=8, compile_next=compile_next)
    wall = time.perf_counter() - t
    stats = {p["prediction"]: p["per_seed"] for p in r["predictions"]}
    return {"compile_next": compile_next, "wall_seconds": wall, "per_seed": stats,
            "waited_for_compile": r["compile_seconds"]}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--experiment", default="stranger_danger")
    p.add_argument("--pairs", type=int, default=1)
    p.add_argument("--set", action="append", default=[], dest="sets")
    p.add_argument("--json", type=Path)
    args = p.parse_args(argv)
    sets = ["train.num_envs=8", *args.sets]
    rows = []
    for pair in range(args.pairs):
        order = (True, False) if pair % 2 == 0 else (False, True)
        runs = {on: timed(args.experiment, sets, on) for on in order}
        if runs[True]["per_seed"] != runs[False]["per_seed"]:
            raise SystemExit("compiling ahead changed the results: " + json.dumps(runs)[:2000])
        row = {"pair": pair, "first": "ahead" if order[0] else "inline",
               **{f"{k}_{'ahead' if on else 'inline'}": runs[on][k] for on in runs
                  for k in ("wall_seconds", "waited_for_compile")}}  # fmt: skip
        row["inline_over_ahead"] = row["wall_seconds_inline"] / row["wall_seconds_ahead"]
        rows.append(row)
        print(f"pair {pair} ({row['first']} first): inline {row['wall_seconds_inline']:.1f} s (waited "
              f"{row['waited_for_compile_inline']:.1f} s for compiles), ahead {row['wall_seconds_ahead']:.1f} s "
              f"(waited {row['waited_for_compile_ahead']:.1f} s); inline / ahead {row['inline_over_ahead']:.3f}",
              flush=True)  # fmt: skip
    common.write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
