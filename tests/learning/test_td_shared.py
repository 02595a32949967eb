"""TD(λ) of agents sharing one W (the agent's formulation): against the mean of per-agent updates, and a
slow loop over agents, heads and steps."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from learning import init_traces, make_heads, td_lambda_shared, td_lambda_step, traced_heads

B, D, H, T = 4, 6, 4, 10
GAMMA, LAM, ALPHA = [0.9, 0.0, 0.5, 0.0], [0.8, 0.0, 0.6, 0.0], [0.05, 0.1, 0.02, 0.3]


def _heads():
    per = lambda xs: dict(zip("abcd", xs, strict=True))
    return make_heads(tuple("abcd"), per(GAMMA), per(LAM), per(ALPHA), D, slice(3, 6), ("d",))


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    f = lambda *s: rng.normal(size=s).astype(np.float32)
    conts = np.ones((T, B), np.float32)
    conts[3, 1] = conts[7, 2] = 0.0  # episodes end for some agents
    gates = rng.uniform(size=(T, B, H)).astype(np.float32)
    gammas = rng.uniform(0, 0.95, size=(T, B, H)).astype(np.float32)  # per-step discounts (defer mode)
    return f(T + 1, B, D), f(T, B, H), conts, gates, gammas, f(H, D) * 0.1


def _shared(w0, phis, cs, conts, gates, gammas, heads, traced):
    z0 = phis[0][:, None, :] * heads.read_mask[jnp.asarray(traced)][None] if traced else jnp.zeros((B, 0, D))

    def body(carry, x):
        w, z, phi_t = carry
        phi_tp1, c, cont, g, gm = x
        dw, z, delta = td_lambda_shared(w, z, phi_t, phi_tp1, c, cont, g, heads, traced, gamma_t=gm)
        return (w + dw, z, phi_tp1), delta

    return jax.lax.scan(body, (w0, z0, phis[0]), (phis[1:], cs, conts, gates, gammas))


def _per_agent_mean(w0, phis, cs, conts, gates, gammas, heads):
    """Today's formulation: every agent its own full ``[H, d]`` traces and increment, then the mean."""
    step = jax.vmap(lambda w, tr, p, c, k, g, gm: td_lambda_step(w, tr, p, c, k, g, heads, gamma_t=gm),
                    in_axes=(None, 0, 0, 0, 0, 0, 0))  # fmt: skip

    def body(carry, x):
        w, tr = carry
        dw, tr, delta = step(w, tr, *x)
        return (w + jnp.mean(dw, axis=0), tr), delta

    tr0 = jax.vmap(lambda p: init_traces(p, heads))(phis[0])
    return jax.lax.scan(body, (w0, tr0), (phis[1:], cs, conts, gates, gammas))


def _slow(w0, phis, cs, conts, gates, gammas, mask):
    """Loops over steps, agents and heads: each agent its own accumulating traces, the shared W moved by the
    mean of their increments."""
    w = np.array(w0, np.float64)
    z = np.array([[mask[i] * phis[0, b] for i in range(H)] for b in range(B)], np.float64)
    for t in range(T):
        w_old, dw = w.copy(), np.zeros_like(w)
        for b in range(B):
            for i in range(H):
                wi = w_old[i] * mask[i]
                delta = cs[t, b, i] + gammas[t, b, i] * conts[t, b] * phis[t + 1, b] @ wi - phis[t, b] @ wi
                dw[i] += ALPHA[i] * gates[t, b, i] * delta * z[b, i] / B
                z[b, i] = gammas[t, b, i] * LAM[i] * conts[t, b] * z[b, i] + mask[i] * phis[t + 1, b]
        w += dw
    return w


def test_traced_heads_are_those_with_lambda():
    assert traced_heads(_heads()) == (0, 2)


@pytest.mark.parametrize("traced", [(0, 2), (0, 1, 2, 3)])
def test_shared_update_matches_the_mean_of_per_agent_updates_and_a_slow_loop(traced):
    """Tracing the λ = 0 heads too (all four) changes nothing: their trace is m ⊙ φ_t at every step."""
    heads, problem = _heads(), _problem()
    w0 = jnp.asarray(problem[-1])
    args = [jnp.asarray(x) for x in problem[:-1]]
    (w, z, _), delta = jax.jit(lambda w0, *a: _shared(w0, *a, heads, traced))(w0, *args)
    (w_ref, _), delta_ref = jax.jit(lambda w0, *a: _per_agent_mean(w0, *a, heads))(w0, *args)
    chex.assert_shape(z, (B, len(traced), D))
    chex.assert_shape(delta, (T, B, H))
    np.testing.assert_allclose(w, w_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(delta, delta_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(w, _slow(problem[-1], *problem[:-1], np.asarray(heads.read_mask)), rtol=1e-4,
                               atol=1e-5)  # fmt: skip


def test_shared_update_without_traced_heads_is_the_delta_rule():
    heads = make_heads(("a", "b"), 0.0, 0.0, 0.1, D)
    rng = np.random.default_rng(1)
    phi_t, phi_tp1 = (jnp.asarray(rng.normal(size=(B, D)), jnp.float32) for _ in range(2))
    c = jnp.asarray(rng.normal(size=(B, 2)), jnp.float32)
    w = jnp.asarray(rng.normal(size=(2, D)), jnp.float32)
    dw, z, delta = jax.jit(lambda w: td_lambda_shared(w, jnp.zeros((B, 0, D)), phi_t, phi_tp1, c, jnp.ones(B),
                                                      jnp.ones((B, 2)), heads, ()))(w)  # fmt: skip
    want = 0.1 * np.einsum("bh,bd->hd", np.asarray(c - phi_t @ w.T), np.asarray(phi_t)) / B
    np.testing.assert_allclose(dw, want, rtol=1e-5, atol=1e-6)
    chex.assert_shape(z, (B, 0, D))
