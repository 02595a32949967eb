"""Where one agent step's time goes, per world: the whole step, the step without learning, and the world alone.

    python benchmarks/breakdown.py [--quick] [--json PATH] [--repeats N]

At B = 16 environments (one seed, the default presets), in one run: ``full`` (think + world + Steering + the
learning step), ``no_learning`` (``agent.learn=False``: no generator gradient, no assessor update) and the
world alone under random actions. The differences are the cost of learning (full − no_learning) and of
thinking and feeling (no_learning − world), as shares of a full step.
"""

from __future__ import annotations

from agent_step import bench
from common import parse_args, write_json


def main(argv=None):
    args, repeats = parse_args(__doc__, argv, quick_repeats=2, full_repeats=5)
    steps = 200 if args.quick else 500
    rows = []
    print(f"{'world':>9} {'full s/step':>12} {'no learning':>12} {'world':>10} {'learning':>9} {'think+feel':>11} "
          f"{'world':>6}")  # fmt: skip
    for world in ("foraging", "cartpole", "social"):
        full = bench(world, 16, steps, repeats)
        quiet = bench(world, 16, steps, repeats, sets=["agent.learn=false"])
        t_full, t_quiet = 1 / full["steps_per_s"], 1 / quiet["steps_per_s"]
        t_world = t_full * full["fraction_of_world"]
        row = {"world": world, "B": 16, "seconds_per_step": t_full, "no_learning": t_quiet, "world_alone": t_world,
               "share_learning": (t_full - t_quiet) / t_full, "share_think_feel": (t_quiet - t_world) / t_full,
               "share_world": t_world / t_full}  # fmt: skip
        rows.append(row)
        print(f"{world:>9} {t_full * 1e6:>10.0f}µs {t_quiet * 1e6:>10.0f}µs {t_world * 1e6:>8.0f}µs "
              f"{row['share_learning']:>9.0%} {row['share_think_feel']:>11.0%} {row['share_world']:>6.0%}",
              flush=True)  # fmt: skip
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
