"""Measurement: does a Thought Assessor whose gate closes mid-run keep its accuracy while the features it reads
keep learning? (issue 13: "heads whose features keep their meaning")

    python benchmarks/frozen_head.py [--quick] [--json PATH] [--world W] [--head NAME] [--steps T] [--seeds N]
                                     [--modes shared,prediction,anchored] [--set KEY=VALUE ...]

For each way of learning the features (``agent.feature_learning``: ``shared``, where the actor and valence
losses reshape the features every head reads, and ``prediction``, where only the prediction loss does and the
valence head has its own pathway) and ``anchored`` (``shared`` with ``agent.anchor``: a head whose gate is
closed is held to its output under the generator's slowly moving copy), one run per seed:

1. trains ``T/2`` steps (state S1);
2. trains ``T/2`` more with the head's learning-rate gate cut (``cut_gate:HEAD``: its weights stay as they were
   at S1) while everything else learns (state S2);
3. measures, with learning frozen, from the same held-out start (the same fresh worlds and keys, which no
   training step used), each short-term predictor's mean squared error where it learns (``assessor/mse/NAME``)
   under S1's brain and under S2's. The two brains act differently, so the steps they visit differ: the ratio
   mixes the drift of the features with a change of the states seen (the heads that kept learning show how
   much).

``frozen`` is the frozen head's error at S2 over its error at S1 (1 = kept its accuracy); the other heads,
which kept learning, are the reference. Per seed, then mean and 95% interval over seeds.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import common  # noqa: F401  (imports the ``learning`` package first)
import jax
import jax.numpy as jnp
import numpy as np

from agi import override, preset
from agi.assemble import build_steering, head_names
from agi.evaluate import _with_brain, frozen
from agi.measure import measure
from agi.registry import world_spec
from agi.stats import mean_ci

MODES = {"shared": [], "prediction": ["agent.feature_learning=prediction", "agent.value_pathway=64"],
         "anchored": ["agent.anchor=10"]}
EVAL_STEPS = 1000


def _errors(cfg, state, heads, key):
    """Per head, per seed: the mean squared error with learning frozen, from fresh worlds under ``state``'s
    brain, on the steps of ``key``."""
    ecfg = frozen(cfg, steps=EVAL_STEPS, chunks=1)
    k_fresh, k_run = jax.random.split(key)

    def start(abstract, init):
        fresh = jax.jit(lambda k: jax.lax.map(init, k))(jax.random.split(k_fresh, cfg.train.num_seeds))
        return 0, _with_brain(fresh, jax.tree.map(jnp.copy, state))

    m = measure(ecfg, progress=False, start=start, key=k_run, edge=1.0)
    return {h: np.asarray(m.last.mean(f"assessor/mse/{h}")).reshape(cfg.train.num_seeds, -1).mean(axis=1)
            for h in heads}  # fmt: skip


def run_mode(base, mode: str, head: str, steps: int):
    cfg = override(base, MODES[mode])
    half = override(cfg, [f"train.steps={steps // 2}", "train.chunks=1"])
    s1 = jax.tree.map(np.asarray, measure(half, progress=False).result.state)
    cut = dataclasses.replace(cfg.steering, ablations=(*cfg.steering.ablations, f"cut_gate:{head}"))
    cont = dataclasses.replace(override(cfg, [f"train.steps={steps}", "train.chunks=2"]), steering=cut)
    names = head_names(build_steering(cfg, world_spec(cfg.world.name)))
    i = names.index(head)
    # the transition pending at S1 was gated before the cut: the freeze covers it too
    pending = s1.agents.pending._replace(gates=s1.agents.pending.gates.copy())
    pending.gates[..., i] = 0.0
    start = s1._replace(agents=s1.agents._replace(pending=pending))
    s2 = measure(cont, progress=False, start=lambda abstract, init: (steps // 2, jax.tree.map(jnp.asarray, start)))
    s2 = s2.result.state
    if not np.array_equal(np.asarray(s1.brain.assessors[..., i, :]), np.asarray(s2.brain.assessors[..., i, :])):
        raise AssertionError(f"the {head} head's weights changed after its gate was cut")
    agent_heads = [h for h in names if h != "valence"]
    key = jax.random.fold_in(jax.random.PRNGKey(cfg.train.seed), 0xF407)  # held out: no training step uses it
    e1, e2 = _errors(cfg, s1, agent_heads, key), _errors(cfg, s2, agent_heads, key)
    rows = []
    for h in agent_heads:
        ratio = e2[h] / np.maximum(e1[h], 1e-12)
        ci = mean_ci(ratio)
        rows.append({"mode": mode, "head": h, "frozen": h == head, "mse_at_freeze": e1[h].tolist(),
                     "mse_at_end": e2[h].tolist(), "ratio": ratio.tolist(), "ratio_mean": ci["mean"],
                     "ratio_lo": ci["lo"], "ratio_hi": ci["hi"]})  # fmt: skip
    return rows


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the tiny preset's sizes (seconds)")
    p.add_argument("--json", type=Path)
    p.add_argument("--world", default="foraging")
    p.add_argument("--head", default="hunger", help="the head whose gate is cut half-way")
    p.add_argument("--steps", type=int, default=20_000)
    p.add_argument("--seeds", type=int, default=8)
    p.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override for every mode")
    args = p.parse_args(argv)
    modes = args.modes.split(",")
    unknown = sorted(set(modes) - set(MODES))
    if unknown:
        p.error(f"--modes: unknown {unknown}; choose from {sorted(MODES)}")
    base = preset("tiny" if args.quick else "default", args.world)
    steps = 200 if args.quick else args.steps
    base = override(base, [f"train.num_seeds={args.seeds}", *args.set])
    rows = [r for mode in modes for r in run_mode(base, mode, args.head, steps)]
    print(f"{'mode':>10} {'head':>10} {'frozen':>6} {'mse S1':>8} {'mse S2':>8} {'S2/S1 [95% CI]':>24}")
    for r in rows:
        print(f"{r['mode']:>10} {r['head']:>10} {str(r['frozen']):>6} {np.mean(r['mse_at_freeze']):>8.4f} "
              f"{np.mean(r['mse_at_end']):>8.4f} {r['ratio_mean']:>8.2f} [{r['ratio_lo']:.2f}, {r['ratio_hi']:.2f}]")
    if args.json:
        common.write_json(args.json, {"world": args.world, "head": args.head, "steps": steps, "rows": rows})
    return rows


if __name__ == "__main__":
    main()
