"""Thought Generator shapes and jit; actor losses against obvious references."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from learning import (
    ThoughtGenerator,
    advance_head_trace,
    expected_policy_loss,
    head_log_policy_grad,
    head_trace_loss,
    policy_gradient_loss,
    prediction_loss,
    situation_valence,
)


def _gen():
    g = ThoughtGenerator(num_actions=3, extero_dim=6, intero_dim=2, hidden=8, latent=5)
    params = g.init(jax.random.PRNGKey(0), jnp.zeros(8), jnp.zeros((), jnp.int32), jnp.zeros(6), jnp.zeros(2),
                    jnp.ones(2))  # fmt: skip
    return g, params


def test_shapes_layout_and_jit():
    g, params = _gen()
    h = jax.jit(lambda p: g.apply(p, jnp.zeros(8), 1, jnp.ones(6), jnp.ones(2), jnp.ones(2), method="recur"))(params)
    chex.assert_shape(h, (8,))
    phi, pe, pi = jax.jit(lambda p, h: g.apply(p, h, method="thoughts"))(params, h)
    lay = g.layout
    chex.assert_shape([phi, pe, pi], [(3, lay.dim), (3, 6), (3, 2)])
    np.testing.assert_allclose(phi[:, lay.intero], pi)  # the interoceptive block is the predicted body state
    np.testing.assert_allclose(phi[:, lay.bias], 1.0)
    chex.assert_shape(g.apply(params, h, method="policy"), (3,))


@pytest.mark.parametrize("kw", [{}, {"intero_pathway": "perceptual", "intero_latent": 3}, {"value_pathway": 4},
                                {"layer_norm": True}])
def test_one_actions_thought_is_that_row_of_every_actions(kw):
    """The loss imagines only the plan carried out (``actions=[a]``): the same numbers as row ``a`` of every
    action's thoughts, on each interoceptive pathway and with a critic block."""
    g = ThoughtGenerator(num_actions=3, extero_dim=6, intero_dim=2, hidden=8, latent=5, **kw)
    params = g.init(jax.random.PRNGKey(0), jnp.zeros(8), jnp.zeros((), jnp.int32), jnp.zeros(6), jnp.zeros(2),
                    jnp.ones(2))  # fmt: skip
    h, e = g.apply(params, jnp.zeros(8), 1, jnp.ones(6), jnp.ones(2), jnp.ones(2), method="encode")
    every = g.apply(params, h, None, e, method="thoughts")
    for a in range(3):
        one = jax.jit(lambda a: g.apply(params, h, a[None], e, method="thoughts"))(jnp.asarray(a))
        for x, y in zip(one, every, strict=True):
            np.testing.assert_allclose(x[0], y[a], rtol=1e-6, atol=1e-6)


def test_layer_norm_normalises_the_imagined_latent_before_its_tanh():
    """With ``layer_norm`` the imagination's pre-activation has zero mean and unit variance per thought (LayerNorm
    at its initial scale 1, bias 0), checked against the formula; without it no norm parameters exist."""
    kw = dict(num_actions=3, extero_dim=6, intero_dim=2, hidden=8, latent=5)
    args = (jnp.zeros(8), jnp.zeros((), jnp.int32), jnp.zeros(6), jnp.zeros(2), jnp.ones(2))
    g = ThoughtGenerator(**kw, layer_norm=True)
    params = g.init(jax.random.PRNGKey(0), *args)
    assert {"norm_encoder", "norm_actor", "norm_imagine"} <= set(params["params"])
    plain = ThoughtGenerator(**kw).init(jax.random.PRNGKey(0), *args)
    assert not any(k.startswith("norm") for k in plain["params"])
    h = jax.random.normal(jax.random.PRNGKey(1), (8,))
    z = jax.jit(lambda p, h: g.apply(p, h, jnp.arange(3), method="imagined"))(params, h)
    k, b = params["params"]["imagine"]["kernel"], params["params"]["imagine"]["bias"]
    x = np.concatenate([np.broadcast_to(np.asarray(h), (3, 8)), np.eye(3)], axis=-1) @ np.asarray(k) + np.asarray(b)
    ref = np.tanh((x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-6))
    np.testing.assert_allclose(z, ref, rtol=1e-5, atol=1e-5)


def test_sparse_init_zeroes_the_same_share_of_every_units_inputs():
    """``sparse_init`` against a count by hand: each column of every kernel it initialises has exactly
    ``ceil(s · fan_in)`` zeros and its other weights within ``±1/√fan_in``; the actor's output stays zero and the
    GRU's recurrent kernels keep their own initialiser; ``0`` leaves flax's defaults (no exact zeros)."""
    kw = dict(num_actions=3, extero_dim=6, intero_dim=2, hidden=8, latent=5, value_pathway=4)
    args = (jnp.zeros(8), jnp.zeros((), jnp.int32), jnp.zeros(6), jnp.zeros(2), jnp.ones(2))
    sparse = jax.jit(ThoughtGenerator(**kw, sparse_init=0.75).init)(jax.random.PRNGKey(0), *args)["params"]
    dense = ThoughtGenerator(**kw).init(jax.random.PRNGKey(0), *args)["params"]
    checked = 0
    for path, k in jax.tree_util.tree_leaves_with_path(sparse):
        name = jax.tree_util.keystr(path)
        if not name.endswith("['kernel']") or "actor_out" in name or "['h" in name.split("gru")[-1]:
            continue
        fan_in = k.shape[0]
        zeros = np.sum(np.asarray(k) == 0, axis=0)
        np.testing.assert_array_equal(zeros, int(np.ceil(0.75 * fan_in)), err_msg=name)
        assert np.abs(np.asarray(k)).max() <= 1 / np.sqrt(fan_in) + 1e-7, name
        checked += 1
    assert checked >= 9  # encoder, actor_hidden, imagine, two decoders, two critic layers, GRU input kernels
    np.testing.assert_array_equal(sparse["actor_out"]["kernel"], 0.0)
    np.testing.assert_array_equal(sparse["gru"]["hr"]["kernel"], dense["gru"]["hr"]["kernel"])
    assert all(np.all(np.asarray(dense[m]["kernel"]) != 0) for m in ("encoder", "imagine", "dec_extero"))
    with pytest.raises(ValueError, match="sparsity"):
        ThoughtGenerator(**kw, sparse_init=1.0).init(jax.random.PRNGKey(0), *args)


def test_masked_interoception_is_invisible():
    g, params = _gen()
    run = lambda intero: g.apply(params, jnp.zeros(8), 0, jnp.ones(6), intero, jnp.zeros(2), method="recur")
    np.testing.assert_allclose(run(jnp.array([0.0, 0.0])), run(jnp.array([5.0, -3.0])))


def test_prediction_loss():
    loss, m = prediction_loss(jnp.ones(4), jnp.zeros(2), jnp.zeros(4), jnp.ones(2))
    np.testing.assert_allclose([loss, m["extero_loss"], m["intero_loss"]], [2.0, 1.0, 1.0])


def test_policy_gradient_matches_reference():
    logits, a, adv, beta = jnp.array([0.1, -0.3, 0.7]), 2, 1.5, 0.01
    g = jax.grad(lambda z: policy_gradient_loss(z, a, adv, beta)[0])(logits)
    p = np.exp(logits) / np.exp(logits).sum()
    onehot = np.eye(3)[a]
    entropy_grad = -p * (np.log(p) + 1) + p * np.sum(p * (np.log(p) + 1))
    np.testing.assert_allclose(g, -adv * (onehot - p) - beta * entropy_grad, rtol=1e-5, atol=1e-6)


def test_the_head_gradient_of_log_pi_is_autodiffs():
    x, head = jnp.array([0.5, -1.0, 2.0]), {"kernel": jnp.arange(6.0).reshape(3, 2) / 7, "bias": jnp.array([0.3, -0.2])}
    log_pi = lambda hd: jax.nn.log_softmax(x @ hd["kernel"] + hd["bias"])[1]
    got = jax.jit(head_log_policy_grad)(x, x @ head["kernel"] + head["bias"], 1)
    chex.assert_trees_all_close(got, jax.grad(log_pi)(head), rtol=1e-5)


def test_the_actor_trace_gives_actor_critic_lambda_against_a_loop():
    """Over a run of transitions with episode ends and kept (off-policy) plans, the proposal head's gradient of
    ``policy_gradient_loss + head_trace_loss`` with the carried trace is ``−A_t Σ_k (γλ)^{t−k} on_k ∇log π_k`` over
    the episode's transitions k ≤ t (Sutton & Barto §13.6's backward view), summed the slow obvious way."""
    rng = np.random.default_rng(0)
    t_len, f, n_act, decay = 9, 3, 4, 0.9 * 0.8
    xs, heads = rng.normal(size=(t_len, f)), rng.normal(size=(t_len, f, n_act))  # the head moves between steps
    actions, adv = rng.integers(0, n_act, t_len), rng.normal(size=t_len)
    on = np.array([1, 1, 0, 1, 1, 1, 0, 1, 1.0])
    cont = np.array([1, 1, 1, 0, 1, 1, 1, 1, 1.0])  # the episode ends after transition 3
    grad_of = lambda t: head_log_policy_grad(jnp.asarray(xs[t]), jnp.asarray(xs[t] @ heads[t]), actions[t])
    older = {"kernel": jnp.zeros((f, n_act)), "bias": jnp.zeros(n_act)}
    step = jax.jit(advance_head_trace)
    for t in range(t_len):
        def loss(hd, t=t, older=older):
            pg, _ = policy_gradient_loss(jnp.asarray(xs[t]) @ hd["kernel"] + hd["bias"], actions[t], adv[t], 0.0)
            return pg * on[t] + head_trace_loss(hd, older, adv[t])

        got = jax.grad(loss)({"kernel": jnp.asarray(heads[t]), "bias": jnp.zeros(n_act)})
        start = max([k + 1 for k in range(t) if cont[k] == 0], default=0)
        want = sum(decay ** (t - k) * on[k] * np.asarray(grad_of(k)["kernel"]) for k in range(start, t + 1))
        np.testing.assert_allclose(got["kernel"], -adv[t] * want, rtol=1e-4, atol=1e-6)
        older = step(older, grad_of(t), on[t], decay, cont[t])


def test_expected_policy_loss_and_situation_valence():
    logits, q = jnp.array([0.0, 1.0]), jnp.array([1.0, 3.0])
    p = np.exp([0.0, 1.0]) / np.exp([0.0, 1.0]).sum()
    np.testing.assert_allclose(situation_valence(logits, q), p @ np.array([1.0, 3.0]), rtol=1e-6)
    g = jax.grad(lambda z: expected_policy_loss(z, q, 0.0)[0])(logits)
    assert g[1] < 0 < g[0]  # moves probability towards the higher-valence plan


def test_perceptual_intero_block_follows_the_current_percept_not_memory():
    g = ThoughtGenerator(num_actions=3, extero_dim=6, intero_dim=2, hidden=8, latent=5, intero_pathway="perceptual")
    params = g.init(jax.random.PRNGKey(0), jnp.zeros(8), jnp.zeros((), jnp.int32), jnp.zeros(6), jnp.zeros(2),
                    jnp.ones(2))  # fmt: skip
    view, masked = jnp.linspace(-1, 1, 6), jnp.zeros(2)

    def thought(h_prev):
        h, e = g.apply(params, h_prev, 0, view, jnp.array([3.0, -2.0]), masked, method="encode")
        return g.apply(params, h, None, e, method="thoughts")[0]

    a, b = jax.jit(thought)(jnp.zeros(8)), jax.jit(thought)(jnp.ones(8) * 0.7)
    lay = g.layout
    np.testing.assert_allclose(a[:, lay.intero], b[:, lay.intero], rtol=1e-6)  # memory does not enter φ_int
    assert not np.allclose(a[:, lay.latent], b[:, lay.latent])  # but it does enter the latent block


def test_prediction_loss_can_withhold_the_interoceptive_target():
    loss, m = prediction_loss(jnp.ones(4), jnp.zeros(2), jnp.zeros(4), jnp.ones(2), intero_weight=0.0)
    np.testing.assert_allclose([loss, m["intero_loss"]], [1.0, 1.0])  # still reported, not trained
