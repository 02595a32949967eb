"""The whole agent: jit-compatibility and shapes of the step functions, finiteness, no recompilation."""

import dataclasses
import functools

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agi import make_agent, make_system, make_train, override, preset
from train import make_chunk


@pytest.fixture(scope="module", params=["foraging", "cartpole"])
def setup(request):
    cfg = preset("tiny", request.param)
    agent = make_agent(cfg)
    return cfg, agent


def _warm(agent, steps=3, envs=3):
    """A system of ``envs`` copies run ``steps`` steps without learning: every agent has a transition to learn
    from. Returns ``(state, think)`` with ``think`` vmapped over copies and bodies as the system runs it."""
    cfg = dataclasses.replace(agent.cfg, train=dataclasses.replace(agent.cfg.train, num_envs=envs))
    agent = agent._replace(cfg=cfg)
    init, step = make_system(agent)
    s = init(jax.random.PRNGKey(0))
    for i in range(steps):
        s, _ = jax.jit(step)(s, jax.random.PRNGKey(10 + i))
    return s, jax.vmap(jax.vmap(agent.think), in_axes=(None, 0, 0))


def test_agent_think_and_feel_shapes(setup):
    cfg, agent = setup
    s, think = _warm(agent)
    e, n = s.agents.h.shape[:2]
    actions, thought = jax.jit(think)(s.brain, s.agents, jax.random.split(jax.random.PRNGKey(2), (e, n)))
    chex.assert_shape(actions, (e, n))
    chex.assert_trees_all_equal_shapes_and_dtypes(thought.learning.loss_inputs.pending, s.agents.pending)
    h, d = s.brain.assessors.shape[1:]
    step = thought.learning.assessor  # the shared formulation (the default): coefficients, features, traced rows
    chex.assert_shape((step.coef, step.phi_t, step.z), ((e, n, h), (e, n, d), (e, n, len(agent.traced), d)))
    assert s.brain.assessors.shape == (n, len(agent.head_names), agent.feature_dim)
    one = lambda x: x[0, 0]
    senses = jax.tree.map(one, jax.vmap(agent.world.step)(jax.random.split(jax.random.PRNGKey(3), e), s.world,
                                                          actions)[1])  # fmt: skip
    new, _, metrics, _ = jax.jit(agent.feel)(jax.tree.map(one, s.agents), jax.tree.map(one, thought), senses,
                                             jnp.asarray(False))  # fmt: skip
    chex.assert_trees_all_equal_shapes_and_dtypes(new, jax.tree.map(one, s.agents))
    assert all(m.shape == () for m in metrics.values())


def test_one_gradient_of_the_mean_loss_is_the_mean_of_per_agent_gradients(setup):
    """``generator_grads`` takes one backward pass for all agents of a brain; the slow obvious reference takes
    one per agent and averages."""
    cfg, agent = setup
    s, think = _warm(agent)
    e, n = s.agents.h.shape[:2]
    _, thought = think(s.brain, s.agents, jax.random.split(jax.random.PRNGKey(2), (e, n)))
    inputs = jax.tree.map(lambda x: x[:, 0], thought.learning.loss_inputs)  # body 0 of every copy: brain 0
    params, w = jax.tree.map(lambda x: x[0], s.brain.generator), s.brain.assessors[0]
    grads, metrics = jax.jit(agent.generator_grads)(params, w, inputs)
    one = lambda i: jax.tree.map(lambda x: x[i], inputs)
    per_agent = [jax.grad(lambda p, i=i: agent._loss(p, w, *one(i))[0])(params) for i in range(e)]
    chex.assert_trees_all_close(grads, jax.tree.map(lambda *g: sum(g) / e, *per_agent), rtol=1e-4, atol=1e-6)
    assert any(float(np.abs(x).max()) > 0 for x in jax.tree.leaves(grads))
    assert set(metrics) >= {"extero_loss", "value_loss"} and all(m.shape == () for m in metrics.values())


def test_the_kept_encoding_gives_the_gradient_of_encoding_again(setup):
    """``agent.encode_once``: the loss reads the previous step's ``(h, e)`` and sends their gradient into the
    encoder through that step's pullback (``Agent.encode_batch``). At the parameters that encoded, that is the
    gradient of the loss that re-encodes the previous step itself (the slow obvious reference)."""
    cfg, agent = setup
    s, think = _warm(agent)
    e, n = s.agents.h.shape[:2]
    keys = jax.random.split(jax.random.PRNGKey(2), (e, n))
    _, thought = think(s.brain, s.agents, keys)
    body0 = lambda x: x[:, 0]  # body 0 of every copy: brain 0
    params, w = jax.tree.map(lambda x: x[0], s.brain.generator), s.brain.assessors[0]
    inputs = jax.vmap(agent.encoder_inputs)(jax.tree.map(body0, s.agents), keys[:, 0])
    (h, percept), pullback = jax.jit(agent.encode_batch)(params, inputs)
    chex.assert_shape((h, percept), (e, agent.generator.hidden))
    pending = jax.tree.map(body0, thought.learning.loss_inputs.pending)._replace(
        h_before=inputs[0], a_before=inputs[1], extero=inputs[2], intero=inputs[3], mask=inputs[4], h=h,
        percept=percept)  # fmt: skip
    loss_inputs = jax.tree.map(body0, thought.learning.loss_inputs)._replace(pending=pending)
    once, m_once = jax.jit(agent.generator_grads)(params, w, loss_inputs, pullback)
    again, m_again = jax.jit(agent.generator_grads)(params, w, loss_inputs)
    chex.assert_trees_all_close(once, again, rtol=1e-4, atol=1e-6)
    chex.assert_trees_all_close(m_once, m_again, rtol=1e-5, atol=1e-7)
    assert float(np.abs(once["params"]["encoder"]["kernel"]).max()) > 0  # the encoder does learn through it


@pytest.mark.slow  # encode_once is off by default; its per-brain gradient test above stays in the default run
def test_a_run_that_encodes_once_matches_one_that_encodes_again(world="social"):  # two brains, three copies each
    """The whole system with ``agent.lr=1e-30`` (parameters do not move in float32, so both losses are taken at
    the parameters that encoded): ``encode_once`` carries each step's pullback residuals to the next step's
    loss, and the optimiser's moments (every gradient so far) come out as with the loss re-encoding the
    previous step."""
    states = []
    for once in (True, False):
        c = override(preset("tiny", world), [f"agent.encode_once={once}", "agent.lr=1e-30", "train.num_envs=3"])
        init, step = make_system(make_agent(c))
        s = init(jax.random.PRNGKey(0))
        for i in range(4):
            s, _ = jax.jit(step)(s, jax.random.PRNGKey(10 + i))
        states.append(s)
    assert states[0].encoding and not states[1].encoding
    chex.assert_trees_all_close(states[0].opt_state, states[1].opt_state, rtol=1e-4, atol=1e-7)
    chex.assert_trees_all_close(states[0].agents.h, states[1].agents.h, rtol=1e-5, atol=1e-6)
    adam = states[0].opt_state[1][0]  # chain(clip, adam): adam's moments
    encoder = np.abs(np.asarray(adam.mu["params"]["encoder"]["kernel"]))
    assert all(encoder[n].max() > 0 for n in range(encoder.shape[0]))  # every brain's encoder learned through it


def test_learn_is_pure_and_is_one_optax_step_plus_the_mean_assessor_increment(setup):
    """``agi.system.learn`` for brain 0 of a system, against the slow obvious reference: per-copy gradients
    averaged, one optax update by hand, the assessor increments summed and divided."""
    from agi.system import learn, make_optimizer

    cfg, agent = setup
    s, think = _warm(agent)
    e, n = s.agents.h.shape[:2]
    _, thought = think(s.brain, s.agents, jax.random.split(jax.random.PRNGKey(2), (e, n)))
    transitions = jax.tree.map(lambda x: x[:, 0], thought.learning)  # body 0 of every copy: brain 0
    brain, opt_state = jax.tree.map(lambda x: x[0], (s.brain, s.opt_state))
    tx = make_optimizer(agent)
    new, new_opt, _, metrics = jax.jit(lambda b, o, t: learn(agent, tx, b, o, t))(brain, opt_state, transitions)
    chex.assert_trees_all_equal_shapes_and_dtypes((new, new_opt), (brain, opt_state))
    one = lambda i: jax.tree.map(lambda x: x[i], transitions.loss_inputs)
    grads = [jax.grad(lambda p, i=i: agent._loss(p, brain.assessors, *one(i))[0])(brain.generator) for i in range(e)]
    updates, ref_opt = tx.update(jax.tree.map(lambda *g: sum(g) / e, *grads), opt_state, brain.generator)
    ref = jax.tree.map(lambda p, u: p + u, brain.generator, updates)
    chex.assert_trees_all_close(new.generator, ref, rtol=1e-4, atol=1e-6)
    chex.assert_trees_all_close(new_opt, ref_opt, rtol=1e-4, atol=1e-6)
    delta = agent.assessor_increment(transitions.assessor)  # checked against per-agent increments elsewhere
    np.testing.assert_allclose(new.assessors, np.asarray(brain.assessors) + delta, rtol=1e-5, atol=1e-7)
    assert all(m.shape == () for m in metrics.values())
    chex.assert_trees_all_close(brain, jax.tree.map(lambda x: x[0], s.brain))  # its inputs are left as they were


def test_heads_follow_the_steering_signals(setup):
    cfg, agent = setup
    expected = ("valence", "hunger", "pleasure", "pain", "fear", "arousal") if cfg.world.name == "foraging" else (
        "valence",)  # fmt: skip
    assert agent.head_names == expected


def test_pending_carries_steerings_per_step_discounts(setup):
    """The fear head's TD discount comes from Steering each step (defer: bootstrap on its next prediction,
    pulled down by safety; override: 0); every other head keeps its configured γ."""
    cfg, agent = setup
    cfg = dataclasses.replace(cfg, agent=dataclasses.replace(cfg.agent, learn=False),
                              train=dataclasses.replace(cfg.train, num_envs=1))  # fmt: skip
    init, step = make_system(agent._replace(cfg=cfg))

    def body(s, k):
        s, _ = step(s, k)
        return s, s.agents.pending.discounts[0, 0]

    _, d = jax.jit(lambda s: jax.lax.scan(body, s, jax.random.split(jax.random.PRNGKey(2), 40)))(
        init(jax.random.PRNGKey(1)))  # fmt: skip
    d, gamma = np.asarray(d), np.asarray(agent.heads.gamma)
    others = [i for i, n in enumerate(agent.head_names) if n != "fear"]
    np.testing.assert_array_equal(d[:, others], np.broadcast_to(gamma[others], (40, len(others))))
    if "fear" in agent.head_names:
        fear = d[:, agent.head_names.index("fear")]
        assert np.all((fear >= 0) & (fear <= 1)) and np.any(fear > 0.5)  # deferring steps bootstrap


def test_system_many_steps_finite_and_no_recompile(setup):
    cfg, agent = setup
    init, step = make_system(agent)
    chunk = make_chunk(step, 50)
    state = jax.lax.map(init, jax.random.split(jax.random.PRNGKey(0), 2))
    keys = jax.random.split(jax.random.PRNGKey(1), 2)
    state, m1 = chunk(state, keys, 0)
    state, m2 = chunk(state, keys, 50)
    assert chunk._cache_size() == 1  # second chunk reuses the compiled program
    for leaf in jax.tree.leaves(state.brain):
        assert np.all(np.isfinite(leaf))
    chex.assert_shape(m2["reward"], (2, 50, agent.world.num_agents))  # [seeds, steps, bodies]
    assert np.any(np.asarray(state.brain.assessors) != 0)  # the assessors learned something


def test_ablated_head_disappears_and_learn_false_freezes_weights():
    cfg = override(preset("tiny", "foraging"), ["steering.ablations=drop:pain", "agent.learn=false"])
    agent = make_agent(cfg)
    assert "pain" not in agent.head_names
    init, step = make_system(agent)
    s0 = init(jax.random.PRNGKey(0))
    s1, _ = jax.jit(step)(s0, jax.random.PRNGKey(1))
    chex.assert_trees_all_equal(s0.brain, s1.brain)


def test_closed_gates_freeze_their_heads_only():
    """``cut_gate:fear`` freezes the fear head; ``Head(attended=True)`` (001 §3.2), with every thought's
    interoception withheld, keeps a user drive's attended head at its initial zeros while its twin without the
    flag learns from the same signal; the other heads learn (one compiled run for both)."""
    import steering as st

    twins = st.stateless("twins", lambda senses, predictions: st.drive_out(
        signals={"seen_a": senses["hunger"], "seen_b": senses["hunger"]}), ("seen_a", "seen_b"),
        {"seen_a": st.Head(reads="intero", attended=True), "seen_b": st.Head(reads="intero")})  # fmt: skip
    cfg = override(preset("tiny", "foraging"), ["steering.ablations=cut_gate:fear", "agent.intero_mask_prob=1.0"])
    agent = make_agent(cfg, drives=[twins])
    init, step = make_system(agent)
    s = init(jax.random.PRNGKey(0))
    s, _ = jax.lax.scan(step, s, jax.random.split(jax.random.PRNGKey(1), 30))
    w = np.abs(np.asarray(s.brain.assessors)[0]).sum(axis=-1)  # brain 0 (the one body of the world)
    row = {n: w[i] for i, n in enumerate(agent.head_names)}
    assert row["fear"] == 0 and row["hunger"] > 0
    assert row["seen_a"] == 0 and row["seen_b"] > 0


def test_bfloat16_dtype_runs():
    cfg = preset("tiny", "cartpole")
    cfg = dataclasses.replace(cfg, agent=dataclasses.replace(cfg.agent, dtype="bfloat16"))
    agent = make_agent(cfg)
    init, step = make_system(agent)
    s, m = jax.lax.scan(step, init(jax.random.PRNGKey(0)), jax.random.split(jax.random.PRNGKey(1), 3))
    assert np.all(np.isfinite(np.asarray(m["reward"])))
    assert s.brain.assessors.dtype == jnp.float32
    assert jnp.dtype(cfg.agent.dtype) == jnp.bfloat16


def test_make_train_vmapped_over_seeds():
    cfg = override(preset("tiny", "cartpole"), ["train.steps=20", "train.chunks=1"])
    state, metrics = jax.jit(jax.vmap(make_train(cfg)))(jax.random.split(jax.random.PRNGKey(0), 2))
    chex.assert_shape(metrics["reward"], (2, 20, 1))  # [seeds, steps, bodies]
    assert state.brain.assessors.shape[0] == 2  # seeds


@pytest.mark.parametrize("sets", [["agent.trace=dutch"], ["agent.assessor_stabilizer=obgd"]])
def test_trace_and_stabilizer_options_run_in_the_agent(sets):
    cfg = override(preset("tiny", "foraging"), sets)
    init, step = make_system(make_agent(cfg))
    s, _ = jax.lax.scan(step, init(jax.random.PRNGKey(0)), jax.random.split(jax.random.PRNGKey(1), 30))
    assert np.all(np.isfinite(np.asarray(s.brain.assessors))) and np.any(np.asarray(s.brain.assessors) != 0)


def test_the_assessor_updates_optax_state_is_carried_from_step_to_step():
    """A stateful transformation in the assessor chain keeps its state: a step counter reads 5 after 5 steps."""
    import optax

    from agi.agent import Agent
    from learning import heads_sgd

    def counter():
        return optax.GradientTransformationExtraArgs(
            lambda params: jnp.zeros((), jnp.int32), lambda u, n, params=None, **extra: (u, n + 1)
        )

    class Counting(Agent):
        @property
        def assessor_tx(self):
            return optax.chain(counter(), heads_sgd(self.heads.alpha))

    agent = Counting(*make_agent(preset("tiny", "foraging")))
    init, step = make_system(agent)
    s = init(jax.random.PRNGKey(0))
    for i in range(5):
        s, _ = jax.jit(step)(s, jax.random.PRNGKey(i))
    counts = np.asarray(s.agents.assessor_opt[0])
    assert counts.shape == (agent.cfg.train.num_envs, 1) and np.all(counts == 5)


def test_observation_normalisation_against_a_slow_reference():
    """``perceive`` with ``agent.obs_norm``: each view minus the running mean over every view so far, over the
    running standard deviation (ddof 1), clipped; jitted, one agent."""
    agent = make_agent(override(preset("tiny", "cartpole"), ["agent.obs_norm=true"]))
    xs = np.random.default_rng(0).normal(2.0, 3.0, size=(12, 4)).astype(np.float32)
    s = agent.new_state(jnp.asarray(xs[0]))
    assert np.all(np.asarray(s.extero) == 0)  # one view: nothing to normalise by yet
    perceive = jax.jit(agent.perceive)
    for t in range(1, len(xs)):
        s = perceive(s, jnp.asarray(xs[t]))
        seen = xs[: t + 1].astype(np.float64)
        want = np.clip((xs[t] - seen.mean(0)) / np.sqrt(seen.var(0, ddof=1) + 1e-8), -10, 10)
        np.testing.assert_allclose(np.asarray(s.extero), want, rtol=1e-4, atol=1e-5)


def test_reward_scaling_against_a_slow_reference():
    """``agent.reward_norm``: the valence cumulant is the reward over the running standard deviation of the
    discounted return G_t = γ G_{t-1} + r_t, which restarts after an episode ends."""
    agent = make_agent(override(preset("tiny", "cartpole"), ["agent.reward_norm=true"]))
    gamma = agent.cfg.agent.gamma
    rewards = np.random.default_rng(1).normal(size=10).astype(np.float32)
    dones = np.zeros(10, bool)
    dones[4] = True
    s = agent.new_state(jnp.zeros(4))
    scaled = jax.jit(agent._scaled_reward)
    g, returns = 0.0, []
    for r, d in zip(rewards, dones, strict=True):
        value, ret = scaled(s, jnp.asarray(r), jnp.asarray(d))
        s = s._replace(ret_norm=ret)
        g = gamma * g + float(r)
        returns.append(g)
        var = np.var(returns, ddof=1) if len(returns) > 1 else 1.0
        np.testing.assert_allclose(float(value), r / np.sqrt(var + 1e-8), rtol=1e-4)
        g = 0.0 if d else g


def test_reward_centering_against_a_slow_reference():
    """``agent.reward_center``: the valence cumulant is the reward minus the average of the rewards before it
    (exact over the first 1/rate steps, then exponential), 0 on the first step; centering comes before scaling."""
    rate = 0.25
    agent = make_agent(override(preset("tiny", "foraging"), [f"agent.reward_center={rate}"]))
    rewards = np.random.default_rng(2).normal(1.0, 2.0, size=12).astype(np.float32)
    s = agent.new_state(jnp.zeros(agent.world.extero_dim))
    centered = jax.jit(agent._centered_reward)
    mean = None
    for t, r in enumerate(rewards):
        value, s_mean = centered(s, jnp.asarray(r))
        s = s._replace(reward_mean=s_mean)
        want = 0.0 if mean is None else r - mean
        np.testing.assert_allclose(float(value), want, rtol=1e-5, atol=1e-6)
        mean = float(r) if mean is None else mean + max(rate, 1.0 / (t + 1)) * (float(r) - mean)
    assert make_agent(preset("tiny", "foraging")).new_state(jnp.zeros(agent.world.extero_dim)).reward_mean == ()


def test_the_actor_trace_in_the_agent():
    """``agent.actor_lam``: the state carries the proposal head's trace ``[E, N, hidden, A]``, which fills as
    fresh proposals are learned from; the loss's gradient differs from the one-step actor's only in that head,
    by ``−A · trace`` (learning/actor.py; its numerics against a loop are in tests/learning)."""
    agent = make_agent(override(preset("tiny", "cartpole"), ["agent.actor_lam=0.8"]))
    s, think = _warm(agent, steps=6)
    e, n = s.agents.h.shape[:2]
    hidden, a = agent.generator.hidden, agent.world.num_actions
    chex.assert_shape([s.agents.actor_trace["kernel"], s.agents.actor_trace["bias"]], [(e, n, hidden, a), (e, n, a)])
    assert float(jnp.abs(s.agents.actor_trace["kernel"]).max()) > 0
    _, thought = jax.jit(think)(s.brain, s.agents, jax.random.split(jax.random.PRNGKey(2), (e, n)))
    inputs = jax.tree.map(lambda x: x[0, 0], thought.learning.loss_inputs)
    params, w = jax.tree.map(lambda x: x[0], s.brain.generator), s.brain.assessors[0]
    grad = lambda trace: jax.grad(lambda p: agent._loss(p, w, *inputs._replace(actor_trace=trace))[0])(params)
    with_trace, without = grad(inputs.actor_trace), grad(jax.tree.map(jnp.zeros_like, inputs.actor_trace))
    diff = jax.tree.map(jnp.subtract, with_trace, without)
    head = diff["params"].pop("actor_out")
    assert all(float(jnp.abs(x).max()) == 0 for x in jax.tree.leaves(diff))
    scale = -inputs.pending.valid * inputs.advantage
    assert abs(float(scale)) > 0
    chex.assert_trees_all_close(head, jax.tree.map(lambda z: scale * z, inputs.actor_trace), rtol=1e-5, atol=1e-7)
    # ``think`` advances it: γλ (older + on_policy · ∇log π(a_{t-1} | h_{t-1})) · cont, here with one episode ended
    # and one plan kept, computed the obvious way for every body
    agents = s.agents._replace(pending=s.agents.pending._replace(
        cont=s.agents.pending.cont.at[0, 0].set(0.0), on_policy=s.agents.pending.on_policy.at[1, 0].set(0.0)))
    _, thought = jax.jit(think)(s.brain, agents, jax.random.split(jax.random.PRNGKey(2), (e, n)))
    params = jax.tree.map(lambda x: x[0], s.brain.generator)
    for i in range(e):
        at = functools.partial(lambda tree, i: jax.tree.map(lambda x: x[i, 0], tree), i=i)
        want = _advanced_trace(agent, params, at(agents.pending), at(agents.actor_trace), agent.cfg.agent.gamma * 0.8)
        chex.assert_trees_all_close(at(thought.actor_trace), want, rtol=1e-5, atol=1e-7)
    assert float(jnp.abs(thought.actor_trace["kernel"][0, 0]).max()) == 0  # the episode ended: a fresh trace
    assert make_agent(preset("tiny", "cartpole")).new_state(jnp.zeros(4)).actor_trace == ()  # off: no state


def test_a_kept_plan_carries_the_policy_gradient_at_actor_kept():
    """``agent.actor_kept``: on a step that kept the plan (``on_policy`` 0) the actor's loss is weighted by it,
    a fresh proposal's by 1; the loss's policy part is −w · A · log π(a) − w · β_H · H(π), checked against the
    loss at weight 0 plus that term computed the obvious way, on one transition and brain."""
    cfg = preset("tiny", "cartpole")
    agent = make_agent(cfg)
    s, think = _warm(agent, steps=4)
    e, n = s.agents.h.shape[:2]
    _, thought = jax.jit(think)(s.brain, s.agents, jax.random.split(jax.random.PRNGKey(2), (e, n)))
    inputs = jax.tree.map(lambda x: x[0, 0], thought.learning.loss_inputs)
    inputs = inputs._replace(pending=inputs.pending._replace(on_policy=jnp.zeros(())))  # a kept plan
    params, w, pend = jax.tree.map(lambda x: x[0], s.brain.generator), s.brain.assessors[0], inputs.pending
    logp = jax.nn.log_softmax(agent.generator.apply(params, pend.h, method="policy"))
    entropy = -jnp.sum(jnp.exp(logp) * logp)
    pg = pend.valid * cfg.agent.actor_coef * (-inputs.advantage * logp[pend.action] - cfg.agent.entropy_coef * entropy)
    assert float(pg) != 0
    loss, head_grad = {}, {}
    for kept in (0.0, 0.5, 1.0):
        variant = make_agent(override(cfg, [f"agent.actor_kept={kept}"]))
        loss[kept] = float(variant._loss(params, w, *inputs)[0])
        g = jax.grad(lambda p, v=variant: v._loss(p, w, *inputs)[0])(params)["params"]["actor_out"]
        head_grad[kept] = sum(float(jnp.abs(x).sum()) for x in jax.tree.leaves(g))
    for kept in (0.5, 1.0):
        np.testing.assert_allclose(loss[kept], loss[0.0] + kept * float(pg), rtol=1e-5, atol=1e-6)
    from agi.config import ConfigError

    for other in ("agent.actor_loss=expected", "agent.actor_lam=0.5"):  # where it would be silently half-applied
        with pytest.raises(ConfigError, match="actor_kept=0.5 is out of range: expected 0 unless agent.actor_loss"):
            make_agent(override(cfg, ["agent.actor_kept=0.5", other]))
    assert head_grad[0.0] == 0 < head_grad[1.0]  # at 0 the kept plan's step sends nothing into the proposal head


def _advanced_trace(agent, params, pend, older, decay):
    """The actor trace after learning from ``pend``, by autodiff of log π at ``pend.h``."""
    inner = params["params"]

    def log_pi(head):
        logits = agent.generator.apply({"params": {**inner, "actor_out": head}}, pend.h, method="policy")
        return jax.nn.log_softmax(logits)[pend.action]

    g = jax.grad(log_pi)(inner["actor_out"])
    return jax.tree.map(lambda z, gi: decay * (z + pend.on_policy * gi) * pend.cont * pend.valid, older, g)


@pytest.mark.parametrize("world", ["foraging", "social"])
def test_the_shared_assessor_update_runs_as_the_per_agent_one(world):
    """``agent.assessor_update=shared`` (the default where it applies) against ``per_agent``, the slow obvious
    reference (every body its own ``[H, d]`` traces and increment, then the mean): the same run up to float
    rounding, with traces kept only for the heads with λ > 0."""
    states = []
    for mode in ("shared", "per_agent"):
        cfg = override(preset("tiny", world), [f"agent.assessor_update={mode}", "train.num_envs=3"])
        agent = make_agent(cfg)
        init, step = make_system(agent)
        run = jax.jit(functools.partial(jax.lax.scan, step))
        s, _ = run(init(jax.random.PRNGKey(0)), jax.random.split(jax.random.PRNGKey(1), 12))
        states.append((agent, s))
    (shared, a), (per_agent, b) = states
    traced = shared.traced
    assert per_agent.traced is None and traced == tuple(i for i, n in enumerate(shared.head_names)
                                                        if shared.head_settings[n].lam > 0)  # fmt: skip
    chex.assert_shape(a.agents.traces.z, (3, shared.world.num_agents, len(traced), shared.feature_dim))
    assert np.any(np.asarray(a.brain.assessors) != 0)
    np.testing.assert_allclose(a.brain.assessors, b.brain.assessors, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(a.agents.traces.z, b.agents.traces.z[:, :, jnp.asarray(traced)], rtol=1e-4, atol=1e-6)
    np.testing.assert_array_equal(a.agents.action, b.agents.action)


def test_assessor_update_modes_follow_the_trace_and_stabiliser():
    from agi.config import ConfigError

    assert make_agent(override(preset("tiny", "foraging"), ["agent.trace=dutch"])).traced is None  # auto
    assert make_agent(override(preset("tiny", "foraging"), ["agent.assessor_update=per_agent"])).traced is None
    assert make_agent(preset("tiny", "foraging")).traced == (0,)  # only the valence head has λ > 0
    for sets in (["agent.trace=dutch"], ["agent.assessor_stabilizer=obgd"]):
        with pytest.raises(ConfigError, match="agent.assessor_update"):
            override(preset("tiny", "foraging"), [*sets, "agent.assessor_update=shared"]).validate()
