"""Benchmark: the continuous online assessor update (linear TD(λ), H heads, B agents, d features).

    python benchmarks/td_update.py [--quick] [--json PATH] [--repeats N]

Implementations (each agent has its own weights ``[d, H]``):
  fused     one jitted ``lax.scan`` over T steps of ``learning.td_lambda_step`` vmapped over agents, state donated
  per_step  a Python loop calling a jitted single step (what a user writes first)
  numpy     the same update in NumPy, vectorised over agents and heads

Ceilings measured in the same run: ``ceiling_bandwidth`` (an in-place read+write pass over an array the size
of the update's state, in a jitted loop), ``ceiling_predict`` (one pass of the batched matrix-vector product
``W φ`` that every exact update needs before it can write, in GB/s of W read) and ``ceiling_matmul`` (a large
f32 matmul, in GFLOP/s). ``pass_bound`` is the fraction of the bandwidth ceiling that an update made of one
prediction pass plus one read+write pass at ceiling speed would reach: ``t_ceiling / (t_predict + t_ceiling)``.
Bytes per update = read and write of W and z (4 · B·d·H floats) plus reading φ (B·d floats), f32.
``heads`` = time of H separate one-head fused updates / time of one H-head update (> 1: the heads share work).
Each figure is the median of ``--repeats`` timings.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from common import inplace_pass_gbytes, matmul_gflops, median_time, parse_args, write_json

from learning import init_traces, make_heads, td_lambda_step

H = 8


def _inputs(b, d, t, h, seed=0):
    rng = np.random.default_rng(seed)
    return (
        rng.normal(size=(t, b, d)).astype(np.float32) / np.sqrt(d),
        rng.normal(size=(t, b, h)).astype(np.float32),
        np.ones((t, b), np.float32),
        np.ones((t, b, h), np.float32),
    )


def bench_sizes(b, d, steps, repeats, h=H, impls=("fused", "per_step", "numpy")):
    heads = make_heads(tuple(range(h)), 0.9, 0.8, 0.01, d)
    phis, cs, conts, gates = _inputs(b, d, steps, h)
    step1 = jax.vmap(lambda w, tr, p, c, k, g: td_lambda_step(w, tr, p, c, k, g, heads))

    def scan_body(carry, x):
        w, tr = carry
        dw, tr, _ = step1(w, tr, *x)
        return (w + dw, tr), None

    @jax.jit
    def fused(w, tr, phis, cs, conts, gates):
        return jax.lax.scan(scan_body, (w, tr), (phis, cs, conts, gates))[0]

    fused = jax.jit(fused, donate_argnums=(0, 1))

    @jax.jit
    def single(w, tr, p, c, k, g):
        dw, tr, _ = step1(w, tr, p, c, k, g)
        return w + dw, tr

    single = jax.jit(single, donate_argnums=(0, 1))
    init = lambda: (jnp.zeros((b, h, d)), jax.vmap(lambda p: init_traces(p, heads))(jnp.asarray(phis[0])))
    dphis, dcs, dconts, dgates = map(jnp.asarray, (phis, cs, conts, gates))

    def run_fused():
        jax.block_until_ready(fused(*init(), dphis, dcs, dconts, dgates))

    def run_per_step():
        w, tr = init()
        for t in range(steps):
            w, tr = single(w, tr, dphis[t], dcs[t], dconts[t], dgates[t])
        jax.block_until_ready(w)

    mask, gamma, lam, alpha = (np.asarray(x) for x in (heads.read_mask, heads.gamma, heads.lam, heads.alpha))

    def run_numpy():
        w = np.zeros((b, h, d), np.float32)
        z = phis[0][:, None, :] * mask
        prev = phis[0]
        for t in range(steps):
            wm = w * mask
            p_t = np.einsum("bd,bhd->bh", prev, wm)
            p_tp1 = np.einsum("bd,bhd->bh", phis[t], wm)
            delta = cs[t] + gamma * conts[t][:, None] * p_tp1 - p_t
            w += z * (alpha * gates[t] * delta)[:, :, None]
            z = (gamma * lam)[None, :, None] * conts[t][:, None, None] * z + phis[t][:, None, :] * mask
            prev = phis[t]

    bytes_per_update = (4 * b * d * h + b * d) * 4
    rows = []
    fns = {"fused": run_fused, "per_step": run_per_step, "numpy": run_numpy}
    for impl in impls:
        sec, n = median_time(fns[impl], repeats), steps
        ups = n / sec
        rows.append({"B": b, "d": d, "H": h, "impl": impl, "updates_per_s": ups,
                     "gbytes_per_s": ups * bytes_per_update / 1e9})  # fmt: skip
    return rows


def ceiling_bandwidth(b, d, steps, repeats):
    """An in-place read+write pass over ``2·B·d·H`` floats (W and z), ``steps`` times in one jitted loop."""
    n = 2 * b * d * H
    gbytes = inplace_pass_gbytes(n, steps, repeats)
    return {"B": b, "d": d, "H": H, "impl": "ceiling_bandwidth", "updates_per_s": gbytes * 1e9 / (2 * n * 4),
            "gbytes_per_s": gbytes}  # fmt: skip


def ceiling_predict(b, d, steps, repeats):
    """One batched matrix-vector pass ``p = W φ`` per step (W ``[B, H, d]``), ``steps`` times in one jitted scan."""
    w = jnp.ones((b, H, d), jnp.float32)
    phis = jnp.asarray(_inputs(b, d, steps, H)[0])
    f = jax.jit(lambda w, phis: jax.lax.scan(lambda p, x: (p + jnp.einsum("bhd,bd->bh", w, x), None),
                                             jnp.zeros((b, H)), phis)[0])  # fmt: skip

    def run():
        jax.block_until_ready(f(w, phis))

    sec = median_time(run, repeats)
    return {"B": b, "d": d, "H": H, "impl": "ceiling_predict", "updates_per_s": steps / sec,
            "gbytes_per_s": steps * w.size * 4 / sec / 1e9}  # fmt: skip


def ceiling_matmul(repeats, n=1024):
    return {"B": None, "d": n, "H": None, "impl": "ceiling_matmul", "updates_per_s": None,
            "gflops_per_s": matmul_gflops(repeats, n)}  # fmt: skip


def main(argv=None):
    args, repeats = parse_args(__doc__, argv, quick_repeats=3, full_repeats=7)
    rows = []
    for b in (1, 64, 1024):
        for d in (64, 256, 1024):
            steps = max(20, min(1000, 2_000_000 // (b * d))) if args.quick else max(50, min(5000, 2e7 // (b * d)))
            steps = int(steps)
            sized = bench_sizes(b, d, steps, repeats)
            one_head = bench_sizes(b, d, steps, repeats, h=1, impls=("fused",))[0]
            # H heads at once vs H separate one-head updates: time(H x one head) / time(H heads)
            sized[0]["heads_speedup"] = sized[0]["updates_per_s"] * H / one_head["updates_per_s"]
            ceil = ceiling_bandwidth(b, d, steps, repeats)
            pred = ceiling_predict(b, d, steps, repeats)
            # t_ceil / (t_predict + t_ceil), with t = 1 / updates_per_s
            sized[0]["pass_bound"] = pred["updates_per_s"] / (pred["updates_per_s"] + ceil["updates_per_s"])
            for r in sized:
                r["bandwidth_fraction"] = r["gbytes_per_s"] / ceil["gbytes_per_s"]
                r["x_per_step"] = (
                    r["updates_per_s"] / next(s for s in sized if s["impl"] == "per_step")["updates_per_s"]
                )
            pred["bandwidth_fraction"] = pred["gbytes_per_s"] / ceil["gbytes_per_s"]
            rows += sized + [ceil, pred]
    rows.append(ceiling_matmul(repeats))
    print(
        f"{'B':>5} {'d':>5} {'impl':>18} {'updates/s':>12} {'GB/s':>8} {'bw frac':>8} {'x per_step':>10} "
        f"{'heads':>6} {'bound':>6}"
    )
    for r in rows:
        if r["impl"] == "ceiling_matmul":
            print(f"{'':>5} {r['d']:>5} {r['impl']:>18} {'':>12} {r['gflops_per_s']:>8.1f} GFLOP/s")
            continue
        print(f"{r['B']:>5} {r['d']:>5} {r['impl']:>18} {r['updates_per_s']:>12,.0f} {r['gbytes_per_s']:>8.2f} "
              f"{r.get('bandwidth_fraction', 1.0):>8.2f} {r.get('x_per_step', float('nan')):>10.1f} "
              f"{r.get('heads_speedup', float('nan')):>6.2f} {r.get('pass_bound', float('nan')):>6.2f}")  # fmt: skip
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
