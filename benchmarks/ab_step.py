"""A/B of one setting's throughput: the whole agent step with and without ``--set`` overrides, timed in
interleaved pairs in one process (this machine's speed drifts by up to 40% between runs; a pair shares it).

    python benchmarks/ab_step.py --set agent.encode_once=true [--worlds social,foraging] [--pairs 4] [--b 16]

For each world (default presets, B environments sharing one brain, one seed) and each pair it times one
compiled chunk of steps (``agent_step.bench``, median of ``--repeats``) at the preset (``A``) and with the
overrides (``B``), A first in even pairs and B first in odd ones, and reports agent-steps/s of each and the
ratio ``A / B`` per pair, with the median ratio.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from agent_step import bench
from common import write_json


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--set", dest="sets", action="append", required=True, metavar="KEY=VALUE",
                   help="the B side's overrides (repeatable)")  # fmt: skip
    p.add_argument("--worlds", default="social,foraging,cartpole", help="comma-separated world names")
    p.add_argument("--pairs", type=int, default=4, help="interleaved pairs per world")
    p.add_argument("--b", type=int, default=16, help="environments per seed")
    p.add_argument("--steps", type=int, default=500, help="steps per timed chunk")
    p.add_argument("--repeats", type=int, default=3, help="timings per figure (the median is reported)")
    p.add_argument("--json", type=Path, help="write the rows here as a JSON list")
    args = p.parse_args(argv)
    rows = []
    print(f"{'world':>9} {'pair':>4} {'A agent-steps/s':>16} {'B agent-steps/s':>16} {'A / B':>6}   B = {args.sets}")
    for world in args.worlds.split(","):
        ratios = []
        for pair in range(args.pairs):
            sides = {}
            for side in ("AB" if pair % 2 == 0 else "BA"):
                sets = () if side == "A" else args.sets
                sides[side] = bench(world, args.b, args.steps, args.repeats, sets, ceiling=False)["agent_steps_per_s"]
            ratios.append(sides["A"] / sides["B"])
            rows.append({"world": world, "B": args.b, "pair": pair, "sets": args.sets,
                         "a_agent_steps_per_s": sides["A"], "b_agent_steps_per_s": sides["B"],
                         "a_over_b": ratios[-1]})  # fmt: skip
            print(f"{world:>9} {pair:>4} {sides['A']:>16,.0f} {sides['B']:>16,.0f} {ratios[-1]:>6.2f}", flush=True)
        print(f"{world:>9} median A / B {statistics.median(ratios):.2f} (range {min(ratios):.2f}–{max(ratios):.2f})")
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
