"""TD(λ) assessors: against a slow obvious reference, Monte-Carlo regression, the delta rule, gates."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from learning import init_traces, make_heads, predict, td_lambda_step

D, H, T = 5, 3, 12


def _problem(seed=0, cont_end=True):
    rng = np.random.default_rng(seed)
    phis = rng.normal(size=(T + 1, D)).astype(np.float32)
    cs = rng.normal(size=(T, H)).astype(np.float32)
    conts = np.ones(T, np.float32)
    conts[5] = 0.0  # an episode ends after transition 5
    gates = rng.uniform(size=(T, H)).astype(np.float32)
    w0 = rng.normal(size=(H, D)).astype(np.float32) * 0.1
    return phis, cs, conts, gates, w0


def _scan(w0, phis, cs, conts, gates, heads):
    def body(carry, x):
        w, tr = carry
        phi_tp1, c, cont, g = x
        dw, tr, delta = td_lambda_step(w, tr, phi_tp1, c, cont, g, heads)
        return (w + dw, tr), delta

    (w, _), deltas = jax.lax.scan(body, (w0, init_traces(phis[0], heads)), (phis[1:], cs, conts, gates))
    return w, deltas


def _reference(w0, phis, cs, conts, gates, gamma, lam, alpha, mask):
    """A Python loop over steps and heads: the textbook semi-gradient TD(λ) with accumulating traces."""
    w = np.array(w0, np.float64)
    z = [mask[i] * phis[0] for i in range(H)]
    for t in range(T):
        w_old = w.copy()
        for i in range(H):
            wi = w_old[i] * mask[i]
            delta = cs[t, i] + gamma[i] * conts[t] * phis[t + 1] @ wi - phis[t] @ wi
            w[i] += alpha[i] * gates[t, i] * delta * z[i]
            z[i] = gamma[i] * lam[i] * conts[t] * z[i] + mask[i] * phis[t + 1]
    return w


@pytest.mark.parametrize("finders", [(), ("c",)])
def test_matches_slow_reference(finders):
    phis, cs, conts, gates, w0 = _problem()
    gamma, lam, alpha = [0.9, 0.0, 0.5], [0.8, 0.0, 1.0], [0.05, 0.1, 0.02]
    per_head = lambda xs: dict(zip("abc", xs, strict=True))
    heads = make_heads(("a", "b", "c"), per_head(gamma), per_head(lam), per_head(alpha), D, slice(3, 5), finders)
    w, _ = jax.jit(_scan)(jnp.asarray(w0), phis, cs, conts, gates, heads)
    ref = _reference(w0, phis, cs, conts, gates, gamma, lam, alpha, np.asarray(heads.read_mask))
    np.testing.assert_allclose(w, ref, rtol=1e-4, atol=1e-5)
    if finders:  # the finder head reads only the interoceptive block
        assert np.all(np.asarray(heads.read_mask)[2, :3] == 0) and np.all(np.asarray(heads.read_mask)[2, 3:] == 1)


def test_per_step_discounts_match_the_slow_reference():
    """``gamma_t`` (Steering's defer / override modes) replaces each head's γ for one transition, in δ and in
    the trace decay: a Python loop with γ indexed by step is the reference."""
    phis, cs, conts, gates, w0 = _problem(4)
    lam, alpha = [0.8, 0.0, 0.5], [0.05, 0.1, 0.02]
    per_head = lambda xs: dict(zip("abc", xs, strict=True))
    heads = make_heads(("a", "b", "c"), 0.9, per_head(lam), per_head(alpha), D)
    gammas = np.random.default_rng(5).uniform(size=(T, H)).astype(np.float32)
    gammas[::3, 1] = 0.0  # override steps: the innate value alone

    def body(carry, x):
        w, tr = carry
        phi_tp1, c, cont, g, gamma = x
        dw, tr, _ = td_lambda_step(w, tr, phi_tp1, c, cont, g, heads, gamma_t=gamma)
        return (w + dw, tr), None

    xs = (phis[1:], cs, conts, gates, gammas)
    (w, _), _ = jax.jit(lambda w: jax.lax.scan(body, (w, init_traces(phis[0], heads)), xs))(jnp.asarray(w0))
    ref = np.array(w0, np.float64)
    z = [phis[0].astype(np.float64) for _ in range(H)]
    for t in range(T):
        old = ref.copy()
        for i in range(H):
            delta = cs[t, i] + gammas[t, i] * conts[t] * phis[t + 1] @ old[i] - phis[t] @ old[i]
            ref[i] += alpha[i] * gates[t, i] * delta * z[i]
            z[i] = gammas[t, i] * lam[i] * conts[t] * z[i] + phis[t + 1]
    np.testing.assert_allclose(w, ref, rtol=1e-4, atol=1e-5)
    # With the heads' own γ as gamma_t, the step is the plain one, for both kinds of trace.
    tr = init_traces(phis[0], heads)._replace(z=jnp.ones((H, D)), v_old=jnp.full((H,), 0.3))
    for trace in ("accumulating", "dutch"):
        a = td_lambda_step(jnp.asarray(w0), tr, phis[1], cs[0], conts[0], gates[0], heads, trace)
        b = td_lambda_step(jnp.asarray(w0), tr, phis[1], cs[0], conts[0], gates[0], heads, trace,
                           gamma_t=heads.gamma)  # fmt: skip
        chex.assert_trees_all_close(a, b)


def test_lambda_one_offline_equals_monte_carlo_regression():
    rng = np.random.default_rng(1)
    phis = rng.normal(size=(T + 1, D)).astype(np.float32)
    c = rng.normal(size=(T, 1)).astype(np.float32)
    conts = np.ones(T, np.float32)
    conts[-1] = 0.0  # one episode, terminating
    gamma, alpha = 0.9, 0.1
    heads = make_heads(("v",), gamma, 1.0, alpha, D)
    w = jnp.asarray(rng.normal(size=(1, D)).astype(np.float32))
    # Offline: accumulate the increments with w held fixed over the episode.
    total, tr = jnp.zeros_like(w), init_traces(phis[0], heads)
    for t in range(T):
        dw, tr, _ = td_lambda_step(w, tr, phis[t + 1], c[t], conts[t], jnp.ones(1), heads)
        total = total + dw
    returns = np.array([sum(gamma ** (k - t) * c[k, 0] for k in range(t, T)) for t in range(T)])
    v = np.asarray(phis[:T] @ np.asarray(w).T)[:, 0]
    mc = alpha * ((returns - v)[:, None] * phis[:T]).sum(0)
    np.testing.assert_allclose(np.asarray(total)[0], mc, rtol=1e-4, atol=1e-5)


def test_gamma_zero_is_the_delta_rule():
    phis, cs, conts, gates, w0 = _problem(2)
    heads = make_heads(("a", "b", "c"), 0.0, 0.0, 0.1, D)
    tr = init_traces(phis[0], heads)
    dw, _, delta = td_lambda_step(jnp.asarray(w0), tr, phis[1], cs[0], conts[0], gates[0], heads)
    pred = phis[0] @ w0.T
    np.testing.assert_allclose(delta, cs[0] - pred, rtol=1e-5)
    np.testing.assert_allclose(dw, (0.1 * gates[0] * (cs[0] - pred))[:, None] * phis[0][None, :], rtol=1e-4, atol=1e-6)


def test_gate_zero_leaves_head_unchanged():
    phis, cs, conts, gates, w0 = _problem(3)
    gates[:, 1] = 0.0
    heads = make_heads(("a", "b", "c"), 0.9, 0.8, 0.1, D)
    w, _ = _scan(jnp.asarray(w0), phis, cs, conts, gates, heads)
    np.testing.assert_array_equal(np.asarray(w)[1], w0[1])
    assert not np.allclose(np.asarray(w)[0], w0[0])


def test_shapes_and_no_recompilation():
    heads = make_heads(("a", "b", "c"), 0.9, 0.8, 0.1, D)

    @jax.jit
    @chex.assert_max_traces(n=1)
    def step(w, tr, phi, c, cont, g):
        return td_lambda_step(w, tr, phi, c, cont, g, heads)

    phis, cs, conts, gates, w0 = _problem(4)
    tr = init_traces(phis[0], heads)
    for t in range(3):
        dw, tr, delta = step(jnp.asarray(w0), tr, phis[t + 1], cs[t], conts[t], gates[t])
    chex.assert_shape(dw, (H, D))
    chex.assert_shape(delta, (H,))
    chex.assert_shape(tr.z, (H, D))
    chex.assert_shape(predict(jnp.asarray(w0), jnp.asarray(phis), heads.read_mask), (T + 1, H))


def _online_lambda_return(w0, phis, c, gamma, lam, alpha):
    """The online λ-return algorithm (Sutton & Barto 2018, §12.4), for one head, no episode end.

    For every horizon h it replays the whole sequence from w0 with the truncated λ-returns G^λ_{t:h}, whose
    n-step returns bootstrap on the diagonal weights w_{t+n-1} = w^{t+n-1}_{t+n-1}.
    """
    steps = len(c)
    diag = [np.array(w0, np.float64)]
    for h in range(1, steps + 1):
        w = np.array(w0, np.float64)
        for t in range(h):

            def g_n(n, t=t):  # G_{t:t+n}
                return sum(gamma**k * c[t + k] for k in range(n)) + gamma**n * diag[t + n - 1] @ phis[t + n]

            horizon = h - t
            g = (1 - lam) * sum(lam ** (n - 1) * g_n(n) for n in range(1, horizon)) + lam ** (horizon - 1) * g_n(
                horizon
            )
            w = w + alpha * (g - w @ phis[t]) * phis[t]
        diag.append(w)
    return diag[-1]


def test_true_online_equals_online_lambda_return():
    rng = np.random.default_rng(5)
    steps, gamma, lam, alpha = 8, 0.9, 0.8, 0.05
    phis = rng.normal(size=(steps + 1, D))
    c = rng.normal(size=steps)
    w0 = rng.normal(size=D) * 0.1
    heads = make_heads(("v",), gamma, lam, alpha, D)
    w = jnp.asarray(w0[None, :], jnp.float32)
    tr = init_traces(jnp.asarray(phis[0], jnp.float32), heads)
    for t in range(steps):
        dw, tr, _ = td_lambda_step(w, tr, jnp.asarray(phis[t + 1], jnp.float32), jnp.asarray(c[t : t + 1], jnp.float32),
                                   1.0, jnp.ones(1), heads, trace="dutch")  # fmt: skip
        w = w + dw
    ref = _online_lambda_return(w0, phis, c, gamma, lam, alpha)
    np.testing.assert_allclose(np.asarray(w)[0], ref, rtol=1e-4, atol=1e-5)
    # accumulating traces do not match it (so the test can fail)
    w_acc, tr = jnp.asarray(w0[None, :], jnp.float32), init_traces(jnp.asarray(phis[0], jnp.float32), heads)
    for t in range(steps):
        dw, tr, _ = td_lambda_step(w_acc, tr, jnp.asarray(phis[t + 1], jnp.float32),
                                   jnp.asarray(c[t : t + 1], jnp.float32), 1.0, jnp.ones(1), heads)  # fmt: skip
        w_acc = w_acc + dw
    assert not np.allclose(np.asarray(w_acc)[0], ref, rtol=1e-4, atol=1e-5)


def test_dutch_resets_at_episode_end_and_gate_zero_freezes():
    phis, cs, conts, gates, w0 = _problem(6)
    gates[:, 2] = 0.0
    heads = make_heads(("a", "b", "c"), 0.9, 0.8, 0.1, D)
    w, tr = jnp.asarray(w0), init_traces(phis[0], heads)
    for t in range(T):
        dw, tr, _ = td_lambda_step(w, tr, phis[t + 1], cs[t], conts[t], gates[t], heads, trace="dutch")
        w = w + dw
        if conts[t] == 0:
            np.testing.assert_allclose(tr.z, np.ones((H, 1)) * phis[t + 1][None, :], rtol=1e-6)
            np.testing.assert_array_equal(tr.v_old, 0.0)
    np.testing.assert_array_equal(np.asarray(w)[2], w0[2])
    assert np.all(np.isfinite(np.asarray(w)))


def test_make_heads_rejects_bad_finders():
    with pytest.raises(ValueError, match="not heads"):
        make_heads(("a",), 0.9, 0.8, 0.1, D, slice(0, 2), finders=("zz",))
    with pytest.raises(ValueError, match="intero_slice"):
        make_heads(("a",), 0.9, 0.8, 0.1, D, finders=("a",))
