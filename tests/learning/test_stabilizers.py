"""The optax face of the assessor update: plain SGD equals the built-in step; ObGD's bound; running norm."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from learning import RunningNorm, heads_sgd, init_traces, make_heads, scale_by_obgd, td_lambda_step

D, H = 6, 3


def _setup(seed=0, scale=1.0):
    rng = np.random.default_rng(seed)
    phis = jnp.asarray(rng.normal(size=(2, D)) * scale, jnp.float32)
    w = jnp.asarray(rng.normal(size=(H, D)) * 0.1, jnp.float32)
    heads = make_heads(("a", "b", "c"), {"a": 0.9, "b": 0.0, "c": 0.5}, 0.8, {"a": 0.1, "b": 0.2, "c": 0.05}, D)
    c = jnp.asarray(rng.normal(size=H) * scale, jnp.float32)
    return phis, w, heads, c


@pytest.mark.parametrize("trace", ["accumulating", "dutch"])
def test_heads_sgd_equals_builtin_step(trace):
    phis, w, heads, c = _setup()
    tr, gate = init_traces(phis[0], heads), jnp.array([1.0, 0.5, 0.0])
    dw, tr1, delta = td_lambda_step(w, tr, phis[1], c, 1.0, gate, heads, trace=trace)
    tx = heads_sgd(heads.alpha)
    dw2, tr2, delta2, _ = td_lambda_step(w, tr, phis[1], c, 1.0, gate, heads, trace=trace, tx=tx, tx_state=tx.init(w))
    np.testing.assert_allclose(dw2, dw, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(tr2.z, tr1.z)


def test_obgd_bounds_large_updates_and_leaves_small_ones():
    tx = optax.chain(scale_by_obgd(jnp.array([0.1, 0.2, 0.05]), kappa=2.0), heads_sgd(jnp.array([0.1, 0.2, 0.05])))
    for scale in (10.0, 0.01):
        phis, w, heads, c = _setup(1, scale)
        tr = init_traces(phis[0], heads)
        dw, _, delta = td_lambda_step(w, tr, phis[1], c, 1.0, jnp.ones(H), heads)
        dwb, _, _, _ = td_lambda_step(w, tr, phis[1], c, 1.0, jnp.ones(H), heads, tx=tx, tx_state=tx.init(w))
        m = np.asarray(heads.alpha) * 2.0 * np.maximum(np.abs(delta), 1.0) * np.abs(np.asarray(tr.z)).sum(-1)
        np.testing.assert_allclose(dwb, np.asarray(dw) / np.maximum(m, 1.0)[:, None], rtol=1e-5, atol=1e-7)
        if scale == 10.0:
            assert np.all(m > 1)  # large steps are bounded
        else:
            np.testing.assert_allclose(dwb, dw, rtol=1e-6)  # small steps untouched


def test_chains_with_plain_optax_pieces_under_jit():
    phis, w, heads, c = _setup(2, 10.0)
    tx = optax.chain(optax.clip(0.01), heads_sgd(heads.alpha))
    f = jax.jit(lambda w, tr: td_lambda_step(w, tr, phis[1], c, 1.0, jnp.ones(H), heads, tx=tx, tx_state=tx.init(w)))
    dw, *_ = f(w, init_traces(phis[0], heads))
    assert np.all(np.abs(np.asarray(dw)) <= 0.01 * np.asarray(heads.alpha)[:, None] + 1e-7)


def test_running_norm_matches_numpy():
    x = np.random.default_rng(3).normal(loc=2.0, scale=3.0, size=(50, 4)).astype(np.float32)
    norm = RunningNorm()
    state = norm.init(4)
    skip = jnp.array([False, False, False, True])
    for row in x:
        state, y = jax.jit(norm.update)(state, jnp.asarray(row), skip)
    np.testing.assert_allclose(state.mean, x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(y[:3], (x[-1, :3] - x.mean(0)[:3]) / x.std(0, ddof=1)[:3], rtol=1e-4)
    assert y[3] == x[-1, 3]
