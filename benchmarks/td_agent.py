"""Benchmark: the assessor update in the agent's own formulation, beside the per-agent one, against its roofline.

    python benchmarks/td_agent.py [--quick] [--json PATH] [--repeats N]

In the agent, the ``B`` bodies a brain drives (its environments' copies) share one ``W [H, d]``; only the heads
with λ > 0 (the valence head) need a trace beyond the current φ; each head has its own gate and, in
defer-to-predictor mode, a per-step discount (DESIGN.md §6). H = 8 heads, 1 traced, f32. Implementations, each
one jitted ``lax.scan`` over steps with its initial carry built inside the program (carry: W, traces, φ_t;
streamed: φ_{t+1}, cumulants, gates, discounts):

  shared     ``learning.td_lambda_shared``: predictions and the untraced heads' increment as matrix products,
             the traced heads' increment a contraction of their ``[B, T, d]`` traces
  per_agent  the agent's formulation before 2026-12-07 (and with dutch traces or ObGD): ``td_lambda_step``
             vmapped over agents (each with full ``[H, d]`` traces and its own ``[H, d]`` increment), then the mean

The roofline, measured in the same run: ``matmul`` (a large f32 matrix product, GFLOP/s) and ``stream`` (an
in-place read+write pass that moves as many bytes as the update must, GB/s: on this CPU it runs from cache at
these sizes, as the update's arrays can). An update
needs ``flops = 2·B·d·(2H + U) + 4·B·T·d`` (two predictions, the untraced increment, the traced increment and
trace update) and moves ``bytes = 4·(2·B·d + 2·B·T·d + 2·H·d)``; its roofline time is
``max(flops / matmul, bytes / stream)`` and ``roofline`` is that time over the measured one. ``binds`` names
the ceiling that sets it.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from common import inplace_pass_gbytes, matmul_gflops, median_time, parse_args, write_json

from learning import init_traces, make_heads, td_lambda_shared, td_lambda_step, traced_heads

H = 8


def _heads(d):
    lam = {0: 0.8, **{i: 0.0 for i in range(1, H)}}  # the valence head is the one with a trace
    gamma = {0: 0.95, **{i: 0.0 for i in range(1, H)}}
    return make_heads(tuple(range(H)), gamma, lam, 0.01, d)


def _stream(b, d, steps, seed=0):
    rng = np.random.default_rng(seed)
    return tuple(jnp.asarray(x) for x in (
        rng.normal(size=(steps, b, d)).astype(np.float32) / np.sqrt(d),  # φ_{t+1}
        rng.normal(size=(steps, b, H)).astype(np.float32),  # cumulants
        np.ones((steps, b), np.float32),  # continuation
        rng.uniform(size=(steps, b, H)).astype(np.float32),  # gates
        rng.uniform(0, 0.95, size=(steps, b, H)).astype(np.float32),  # per-step discounts
    ))  # fmt: skip


def _timed(scan_fn, init, xs, repeats):
    """Median seconds of one jitted scan over ``xs`` from the carry ``init(φ_0)``, built inside the program."""
    f = jax.jit(lambda xs: jax.lax.scan(scan_fn, init(xs[0][0]), xs)[0])
    return median_time(lambda: jax.block_until_ready(f(xs)), repeats)


def bench(b, d, steps, repeats):
    heads = _heads(d)
    traced = traced_heads(heads)
    t = len(traced)
    xs = _stream(b, d, steps)
    mask_traced = heads.read_mask[jnp.asarray(traced)]

    def shared(carry, x):
        w, z, phi_t = carry
        phi, c, cont, g, gm = x
        dw, z, _ = td_lambda_shared(w, z, phi_t, phi, c, cont, g, heads, traced, gamma_t=gm)
        return (w + dw, z, phi), None

    step1 = jax.vmap(lambda w, tr, p, c, k, g, gm: td_lambda_step(w, tr, p, c, k, g, heads, gamma_t=gm),
                     in_axes=(None, 0, 0, 0, 0, 0, 0))  # fmt: skip

    def per_agent(carry, x):
        w, tr = carry
        dw, tr, _ = step1(w, tr, *x)
        return (w + jnp.mean(dw, axis=0), tr), None

    traces_of = jax.vmap(lambda p: init_traces(p, heads))
    sec = {
        "shared": _timed(shared, lambda p: (jnp.zeros((H, d)), p[:, None, :] * mask_traced[None], p), xs, repeats),
        "per_agent": _timed(per_agent, lambda p: (jnp.zeros((H, d)), traces_of(p)), xs, repeats),
    }
    u = H - t
    flops = 2 * b * d * (2 * H + u) + 4 * b * t * d
    nbytes = 4 * (2 * b * d + 2 * b * t * d + 2 * H * d)
    return {k: steps / v for k, v in sec.items()}, flops, nbytes


def main(argv=None):
    args, repeats = parse_args(__doc__, argv, quick_repeats=3, full_repeats=7)
    gflops = matmul_gflops(repeats)
    rows = []
    print(f"matmul ceiling {gflops:.1f} GFLOP/s")
    print(f"{'B':>5} {'d':>5} {'B·d':>8} {'impl':>10} {'updates/s':>12} {'GFLOP/s':>8} {'GB/s':>7} {'stream':>7} "
          f"{'roofline':>8} {'binds':>7} {'x per_agent':>11}")  # fmt: skip
    for b in (16, 64, 256, 1024):
        for d in (64, 256, 1024):
            steps = int(max(20, min(400, 4e6 // (b * d)))) if args.quick else int(max(50, min(2000, 4e7 // (b * d))))
            ups, flops, nbytes = bench(b, d, steps, repeats)
            stream = inplace_pass_gbytes(nbytes // 8, steps, repeats)  # moves nbytes per pass
            t_roof = max(flops / (gflops * 1e9), nbytes / (stream * 1e9))
            binds = "matmul" if flops / gflops >= nbytes / stream else "memory"
            for impl, u in ups.items():
                row = {"B": b, "d": d, "H": H, "traced": 1, "impl": impl, "updates_per_s": u,
                       "gflops_per_s": u * flops / 1e9, "gbytes_per_s": u * nbytes / 1e9, "stream_gbytes_per_s": stream,
                       "matmul_gflops_per_s": gflops, "roofline_fraction": u * t_roof, "binds": binds,
                       "x_per_agent": u / ups["per_agent"]}  # fmt: skip
                rows.append(row)
                print(f"{b:>5} {d:>5} {b * d:>8,} {impl:>10} {u:>12,.0f} {row['gflops_per_s']:>8.1f} "
                      f"{row['gbytes_per_s']:>7.1f} {stream:>7.1f} {row['roofline_fraction']:>8.2f} {binds:>7} "
                      f"{row['x_per_agent']:>11.2f}")  # fmt: skip
    write_json(args.json, rows)
    return rows


if __name__ == "__main__":
    main()
