"""The social world: mechanics on hand-placed states, the mirror and orienting, and the multi-agent system."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agi import make_agent, make_system, override, preset
from agi.config import ConfigError
from agi.worlds.social.steering import kinds_of
from agi.worlds.social.world import CHANNELS, EAT, GIVE, STAY, THREATEN, UP, Social, SocialParams, attention
from train import make_chunk

P = SocialParams(size=5, view_radius=2, n_food=1, n_spiders=1, n_decoys=0, critter_move_prob=0.0, n_agents=2,
                 characters=("bully",))  # fmt: skip
C = {c: i for i, c in enumerate(CHANNELS)}


def _state(pos, facing, carry=(0, 0, 0), food=((4, 4),), spider=((0, 4),)):
    w = Social(P)
    s, _, _ = w.reset(jax.random.PRNGKey(0))
    i = lambda x: jnp.asarray(x, jnp.int32)
    return w, s._replace(pos=i(pos), facing=i(facing), carry=jnp.asarray(carry, jnp.float32), food=i(food),
                         spiders=i(spider))  # fmt: skip


def _step(w, s, actions):
    # The bully's script is random; pin it by making it stand still (kinds are static, so patch its action).
    return w.step(jax.random.PRNGKey(1), s, jnp.asarray(actions, jnp.int32))


def test_shapes_and_jit():
    w = Social(P)
    s, views, senses = jax.jit(w.reset)(jax.random.PRNGKey(0))
    chex.assert_shape(views, (2, 5 * 5 * len(CHANNELS)))
    s2, senses = jax.jit(w.step)(jax.random.PRNGKey(1), s, jnp.array([UP, STAY]))
    chex.assert_trees_all_equal_shapes_and_dtypes(s, s2)
    assert senses["oracle/attended"].shape == (2, 3) and senses["view"].shape == (2, 5, 5, len(CHANNELS))
    s3, views, oriented = jax.jit(w.render)(s2, jnp.zeros(2), jnp.zeros(2), jnp.ones(2))
    chex.assert_shape([views, oriented], [(2, 5 * 5 * len(CHANNELS)), (2,)])


def test_eye_contact_needs_both_facing_each_other_in_line():
    w, s = _state(pos=[[2, 0], [2, 2], [4, 0]], facing=[3, 2, 0])  # 0 faces right, 1 faces left: eye contact
    attended, has, eye, _ = attention(s, P)
    assert bool(eye[0]) and bool(eye[1]) and int(attended[0]) == 1
    _, s = _state(pos=[[2, 0], [2, 2], [4, 0]], facing=[3, 3, 0])  # 1 looks away
    assert not bool(attention(s, P)[2][0])


def test_pick_up_eat_give_and_threaten():
    w, s = _state(pos=[[3, 4], [2, 2], [0, 0]], facing=[0, 0, 0])
    s, senses = _step(w, s, [2, STAY])  # learner 0 moves down onto the food and picks it up
    assert float(s.carry[0]) == 1.0 and senses["ate"][0] == 0.0
    s = s._replace(pos=s.pos.at[1].set(jnp.array([4, 3])))  # learner 1 comes adjacent
    s2, senses = _step(w, s, [GIVE, STAY])
    assert senses["gave"][0] == 1.0 and senses["received"][1] == 1.0 and senses["ate"][1] == 1.0
    np.testing.assert_array_equal(senses["conspecific_touch"], [1.0, 1.0])  # giver and receiver touched
    assert float(s2.carry[0]) == 0.0 and float(s2.carry[1]) == 0.0  # the receiver ate it at once
    s3, senses = _step(w, s, [EAT, STAY])
    assert senses["ate"][0] == 1.0 and float(s3.carry[0]) == 0.0
    s4, senses = _step(w, s, [STAY, THREATEN])  # same size: the threatener takes the food
    assert senses["threatened"][0] == 1.0 and senses["did_threaten"][1] == 1.0
    np.testing.assert_array_equal(senses["conspecific_touch"], [1.0, 1.0])
    assert not np.any(_step(w, s, [STAY, STAY])[1]["conspecific_touch"])
    assert float(s4.carry[1]) == 1.0 and float(s4.carry[0]) == 0.0


def test_oracle_senses_say_what_a_give_now_would_reach():
    """``oracle/carrying`` and ``oracle/give_target`` (measurement only) against the rule written out: the first
    body at Manhattan distance 1, none when nobody is adjacent; the give that follows reaches that body."""
    w, s = _state(pos=[[3, 3], [3, 4], [2, 3]], facing=[0, 0, 0], carry=(1, 0, 0))
    s, senses = _step(w, s, [STAY, STAY])
    for a in range(2):
        d = np.abs(np.asarray(s.pos)[a] - np.asarray(s.pos)).sum(-1)
        near = [b for b in range(3) if b != a and d[b] == 1]
        np.testing.assert_array_equal(senses["oracle/give_target"][a], np.eye(3)[near[0]] if near else np.zeros(3))
    np.testing.assert_array_equal(senses["oracle/carrying"], [1.0, 0.0])
    _, given = _step(w, s, [GIVE, STAY])
    np.testing.assert_array_equal(given["oracle/gave_to"][0], senses["oracle/give_target"][0])
    _, alone = _step(*_state(pos=[[0, 0], [4, 4], [2, 2]], facing=[0, 0, 0]), [STAY, STAY])
    assert not np.any(alone["oracle/give_target"])


def test_food_is_worth_the_eaters_hunger_and_a_threat_displeases_its_victim():
    """Scripted characters' payoffs (issue 12), hand-computed: joy' = 0.8 joy + 2 · hunger · ate − threatened."""
    from agi.worlds.social import characters as chars

    p = SocialParams(n_agents=1, characters=("friend", "stranger"))
    w = Social(p)
    s, _, _ = w.reset(jax.random.PRNGKey(0))
    s = s._replace(hunger=jnp.asarray([0.5, 0.3, 0.9]), joy=jnp.zeros(3))
    zero = jnp.zeros(3)
    events = {"ate": jnp.asarray([0.0, 1.0, 0.0]), "took": zero, "threatened": jnp.asarray([0.0, 0.0, 1.0]),
              "bitten": zero, "gave": zero, "ate_own": zero}  # fmt: skip
    out = chars.feel(s, events, p, jnp.asarray(p.kinds))
    # the friend (hunger 0.3) eats: worth 2 · 0.3 = 0.6; its hunger falls to 0 (no displeasure)
    np.testing.assert_allclose(out.pleasure[1], 0.6, rtol=1e-6)
    # the stranger is threatened: displeased (-1) as well as scared
    np.testing.assert_allclose([out.pleasure[2], out.fear[2]], [-1.0, 1.0], rtol=1e-6)
    hungry = chars.feel(s._replace(hunger=jnp.asarray([0.5, 0.45, 0.9])), events, p, jnp.asarray(p.kinds))
    assert float(hungry.pleasure[1]) > float(out.pleasure[1])  # the hungrier eater gains more
    assert float(out.pleasure[0]) == 0.0  # learners' feelings are their Steering's, not scripted


def test_give_does_nothing_before_it_becomes_available():
    w = Social(P._replace(give_from_step=3))
    _, s = _state(pos=[[4, 4], [4, 3], [0, 0]], facing=[0, 0, 0], carry=(1, 0, 0))
    s = s._replace(t=jnp.asarray(2, jnp.int32))
    s2, senses = _step(w, s, [GIVE, STAY])
    assert senses["gave"][0] == 0.0 and float(s2.carry[0]) == 1.0 and int(s2.t) == 3
    s3, senses = _step(w, s2, [GIVE, STAY])
    assert senses["gave"][0] == 1.0 and float(s3.carry[0]) == 0.0
    np.testing.assert_array_equal(senses["oracle/gave_to"][0], [0.0, 1.0, 0.0])  # measured: who received it


def test_a_head_fired_reflex_with_nobody_in_view_still_masks_interoception():
    """Thinking of someone absent (001 §2, §5.4): the reflex fires from its head (θ below any prediction), no one
    is in view, so the view stays one's own, yet interoception is masked and the readout gate opens."""
    cfg = override(preset("tiny", "social"), ["world.n_agents=1", "world.characters=", "steering.sa_theta=-1"])
    agent = make_agent(cfg)
    init, step = make_system(agent)
    s = jax.jit(init)(jax.random.PRNGKey(0))
    s, m = jax.jit(step)(s, jax.random.PRNGKey(1))
    assert np.all(np.asarray(s.agents.orient) == 1.0)
    assert np.all(np.asarray(s.agents.attention) == 0.0)  # masked although the world could not orient the view
    assert np.all(np.asarray(s.world.looked_at) == -1)  # the view is one's own
    s, m = jax.jit(step)(s, jax.random.PRNGKey(2))
    assert float(m["social/oriented"][0]) == 1.0  # the thought was formed under the reflex


def test_two_threateners_of_one_carrier_do_not_duplicate_its_food():
    p3 = SocialParams(size=5, view_radius=2, n_food=1, n_spiders=1, n_decoys=0, critter_move_prob=0.0, n_agents=3,
                      characters=())  # fmt: skip
    w = Social(p3)
    s, _, _ = w.reset(jax.random.PRNGKey(0))
    i = lambda x: jnp.asarray(x, jnp.int32)
    s = s._replace(pos=i([[2, 2], [2, 1], [2, 3]]), facing=i([0, 3, 2]), carry=jnp.asarray([1.0, 0.0, 0.0]),
                   food=i([[4, 4]]), spiders=i([[0, 4]]))  # fmt: skip
    s2, senses = w.step(jax.random.PRNGKey(1), s, jnp.asarray([STAY, THREATEN, THREATEN], jnp.int32))
    assert float(senses["did_threaten"][1]) == 1.0 and float(senses["did_threaten"][2]) == 1.0
    np.testing.assert_array_equal(np.asarray(s2.carry), [0.0, 1.0, 0.0])  # one item, one taker: the first
    np.testing.assert_array_equal(np.asarray(senses["took"]), [0.0, 1.0, 0.0])


def test_the_mirror_and_the_orienting_reflex():
    w, s = _state(pos=[[2, 2], [2, 3], [4, 0]], facing=[3, 2, 0])
    pleasure, fear = jnp.array([0.9, -0.9]), jnp.array([0.0, 0.8])
    s2, views, oriented = w.render(s, pleasure, fear, jnp.array([0.0, 0.0]))
    v = np.asarray(views).reshape(2, 5, 5, -1)
    assert v[0, 2, 2, C["pleased"]] == 1.0 and v[0, 2, 2, C["displeased"]] == 0.0  # own face at the centre
    assert v[1, 2, 2, C["displeased"]] == 1.0 and v[1, 2, 2, C["afraid"]] == 1.0
    # Learner 0 orients to learner 1: its view is centred on 1's face and the oracle keeps 1's true feelings.
    s3, views, oriented = w.render(s, pleasure, fear, jnp.array([1.0, 0.0]))
    v = np.asarray(views).reshape(2, 5, 5, -1)
    assert oriented.tolist() == [1.0, 0.0]
    assert v[0, 2, 2, C["displeased"]] == 1.0 and v[0, 2, 2, C["ident"]] == pytest.approx(2 / 3)
    assert int(s3.looked_at[0]) == 1 and float(s3.looked_pleasure[0]) == pytest.approx(-0.9)
    assert float(s3.looked_eye[0]) == 1.0 and float(s3.looked_size[0]) == 1.0  # they face each other
    s4, senses = _step(w, s3, [STAY, STAY])
    np.testing.assert_array_equal(senses["oracle/looked"][0], [0.0, 1.0, 0.0])  # who the next thought is about
    np.testing.assert_array_equal(senses["oracle/looked"][1], [0.0, 0.0, 0.0])
    assert int(s3.looked_at[1]) == -1 and float(s3.looked_pleasure[1]) == 0.0


@pytest.fixture(scope="module")
def social():
    cfg = override(preset("tiny", "social"), ["world.characters=friend,bully"])
    return cfg, make_agent(cfg)


def test_heads_include_social_attention_and_the_concept_finders(social):
    _, agent = social
    for h in ("social_attention", "pleasure", "finder_pleasure", "finder_fear"):
        assert h in agent.head_names
    mask = np.asarray(agent.heads.read_mask)
    lay = agent.generator.layout
    i = agent.head_names.index("finder_pleasure")
    assert mask[i, lay.intero].all() and not mask[i, lay.latent].any()  # finders read only φ_int
    # the arousal head reads φ_int only through the block that is withheld on empathetic simulations
    a, own = agent.head_names.index("arousal"), slice(lay.dim, agent.feature_dim)
    assert mask[a, lay.latent].all() and not mask[a, lay.intero].any() and mask[a, own].all()
    v = agent.head_names.index("valence")
    assert mask[v, : lay.dim].all() and not mask[v, own].any()
    # agent.valence_reads=self: the valence head too reads φ_int only on one's own thoughts
    alt = make_agent(override(preset("tiny", "social"), ["world.characters=friend,bully", "agent.valence_reads=self"]))
    m = np.asarray(alt.heads.read_mask)[v]
    assert m[lay.latent].all() and not m[lay.intero].any() and m[own].all()


def test_the_self_block_is_phi_int_on_own_thoughts_and_zero_on_simulations(social):
    _, agent = social
    lay = agent.generator.layout
    phi = jnp.arange(lay.dim, dtype=jnp.float32)
    own, sim = agent.features(phi, 0.0), agent.features(phi, 1.0)
    np.testing.assert_array_equal(own[lay.dim :], phi[lay.intero])
    np.testing.assert_array_equal(sim[lay.dim :], 0.0)
    np.testing.assert_array_equal(own[: lay.dim], phi)


def test_interoception_reaches_the_generator_as_an_unlabelled_mixture(social):
    cfg, agent = social
    assert cfg.agent.intero_mixing and cfg.agent.intero_latent == 16
    body = jnp.zeros((len(agent.steering.body),)).at[agent.steering.body.index("pleasure")].set(1.0)
    mixed = agent.sense_intero(body)
    np.testing.assert_allclose(mixed, agent.mixing[:, agent.steering.body.index("pleasure")], rtol=1e-6)
    assert np.count_nonzero(np.asarray(mixed)) > 1  # no unit of the input is the pleasure channel
    noisy = agent.sense_intero(body, jax.random.PRNGKey(0))
    assert 0 < float(jnp.max(jnp.abs(noisy - mixed))) < 0.5
    assert agent.generator.layout.intero.stop - agent.generator.layout.intero.start == 16  # φ_int is a latent


def test_steering_never_sees_the_worlds_oracle_senses():
    """A drive that reads who someone is (an ``oracle/`` sense of the world) fails before any work."""
    from steering import Drive, drive_out

    peek = Drive("peek", lambda: (), lambda s, senses, p: (s, drive_out(jnp.sum(senses["oracle/looked"]))))
    cfg = override(preset("tiny", "social"), [])
    with pytest.raises(ConfigError, match="oracle/looked"):
        make_agent(cfg, drives=[peek])


def test_system_runs_each_learner_has_its_own_brain_no_recompile(social):
    cfg, agent = social
    init, step = make_system(agent)
    state = jax.lax.map(init, jax.random.split(jax.random.PRNGKey(0), 2))
    chex.assert_shape(state.brain.assessors, (2, cfg.world.social.n_agents, len(agent.head_names), agent.feature_dim))
    chunk = make_chunk(step, 20)
    keys = jax.random.split(jax.random.PRNGKey(1), 2)
    state, m = chunk(state, keys, 0)
    state, m = chunk(state, keys, 20)
    assert chunk._cache_size() == 1
    w = np.asarray(state.brain.assessors)
    assert not np.allclose(w[:, 0], w[:, 1])  # learners learn separately
    n, bodies = cfg.world.social.n_agents, len(kinds_of(cfg))
    shapes = {"social/give": (n,), "social/threaten": (n,), "reward/compassion_spite": (n,), "empathy/learned/xy": (),
              "empathy/fear_learned/xy": (), "empathy/fear_probe/n": ()}  # fmt: skip
    for k, shape in shapes.items():  # [seeds, steps, *the metric's own shape] (agi.metrics)
        chex.assert_shape(m[k], (2, 20, *shape))
        assert np.isfinite(m[k]).all(), k
    chex.assert_shape([m["social/fe_about"], m["social/about"]], (2, 20, n, bodies))  # per body thought about
    assert all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(state.brain))


def test_train_and_evaluate_writes_the_social_summary(tmp_path):
    from agi import train_and_evaluate

    cfg = override(preset("tiny", "social"), ["world.characters=friend,elder", "train.steps=40", "train.chunks=2"])
    s = train_and_evaluate(cfg, tmp_path, progress=False)
    social = s["social"]
    assert len(social["agents"]) == cfg.world.social.n_agents
    a = social["agents"][0]
    for k in ("give_rate", "threaten_rate", "eat_rate", "food_in_view_fraction", "eye_contact_fraction",
              "friend_enemy", "reward_share", "compassion_spite", "fed_by", "threatened_by"):  # fmt: skip
        assert k in a, k
    for k in ("eat_rate", "food_in_view_fraction", "spider_in_view_fraction", "decoy_in_view_fraction"):
        assert 0 <= a[k]["mean"] <= 1, k
    b, mean = social["random_policy"][0], lambda x, k: x[k]["mean"]
    line = (f"eats on {mean(a, 'eat_rate'):.2%} of steps, with food in view on {mean(a, 'food_in_view_fraction'):.0%} "
            f"and a harmless decoy on {mean(a, 'decoy_in_view_fraction'):.0%} (random policy: "
            f"{mean(b, 'eat_rate'):.2%} / {mean(b, 'food_in_view_fraction'):.0%} / "
            f"{mean(b, 'decoy_in_view_fraction'):.0%})")
    assert line in social["learned"][0]
    assert set(a["friend_enemy"]) == set(a["fed_by"]) == {"1:learner", "2:friend", "3:elder"}
    assert "liking_presence" not in a  # the probes are off unless asked for
    assert set(a["compassion_spite"]) >= {"eye_contact", "other"}
    assert set(a["reward_share"]) == {"compassion_spite", "feared"}
    assert set(social["empathy_correlation"]) >= {"learned", "oracle", "shuffled", "fear_learned", "fear_face"}
    assert any("of its fear, r =" in line for line in social["learned"])
    assert social["random_policy"] is not None and any("empathy" in line for line in social["learned"])


def test_behaviour_reports_each_character_kind_against_a_loop():
    """``report.behaviour`` (what ``agi ablate`` compares): per scripted character kind, the first body of that
    kind, averaged over learners: checked against the window's ``[seeds, N, M]`` means read body by body."""
    from agi.measure import measure
    from agi.worlds.social import report

    cfg = override(preset("tiny", "social"), ["world.characters=friend,stranger,friend", "train.steps=30",
                                              "train.chunks=1", "world.social.liking_probe=true"])  # fmt: skip
    last = measure(cfg, progress=False).last
    out = report.behaviour(last, cfg)
    n = cfg.world.social.n_agents
    for name, key in report.TOWARD_CHARACTERS:
        per = last.mean(key)  # [seeds, N, M]
        for kind, body in (("friend", n), ("stranger", n + 1)):  # the first friend, not the second
            want = [sum(per[s, i, body] for i in range(n)) / n for s in range(per.shape[0])]
            np.testing.assert_allclose(out[f"{name}/{kind}"], want, rtol=1e-6, err_msg=f"{name}/{kind}")
    assert "presence/elder" not in out


@pytest.mark.slow
def test_a_resumed_social_run_is_bit_exact(tmp_path):
    import shutil

    from agi import train_and_evaluate

    cfg = override(preset("tiny", "social"), ["train.steps=40", "train.chunks=2"])
    straight = train_and_evaluate(cfg, tmp_path / "a", progress=False, baseline=False)
    train_and_evaluate(cfg, tmp_path / "b", progress=False, baseline=False)
    shutil.rmtree(tmp_path / "b" / "checkpoints" / "40")  # as if killed after the first chunk's checkpoint
    resumed = train_and_evaluate(cfg, tmp_path / "b", progress=False, baseline=False, resume=True)
    assert resumed["resumed_from_step"] == 20 and resumed["state_digest"] == straight["state_digest"]


def test_portraits_are_the_views_the_reflex_would_draw_on_each_body():
    """``Social.portraits``: body j's portrait is the view a learner oriented on j gets from ``render``."""
    w, s = _state(pos=[[2, 2], [2, 3], [4, 0]], facing=[3, 2, 0])
    pleasure, fear = jnp.array([0.9, -0.9]), jnp.array([0.0, 0.8])
    s2, views, oriented = w.render(s, pleasure, fear, jnp.array([1.0, 1.0]))  # each orients on the other
    portraits = jax.jit(w.portraits)(s2)
    chex.assert_shape(portraits, (3, views.shape[-1]))
    assert oriented.tolist() == [1.0, 1.0]
    np.testing.assert_array_equal(portraits[1], views[0])  # learner 0 looked at body 1
    np.testing.assert_array_equal(portraits[0], views[1])
    s3, own, _ = w.render(s, pleasure, fear, jnp.array([0.0, 0.0]))
    np.testing.assert_array_equal(jax.jit(w.portraits)(s3)[:2], own)  # not oriented: centred on oneself
    assert Social(P).as_world().portraits is None  # off unless asked for


def test_absences_erase_one_body_from_each_learners_own_view():
    """``Social.absences``: learner i's own view with body j not drawn; the same view where j is out of sight."""
    w, s = _state(pos=[[2, 2], [2, 3], [4, 0]], facing=[3, 2, 0], carry=(0, 1, 0))
    s, own, _ = w.render(s, jnp.array([0.9, 0.0]), jnp.zeros(2), jnp.zeros(2))
    erased = jax.jit(w.absences)(s)
    chex.assert_shape(erased, (2, 3, own.shape[-1]))
    r, c = P.view_radius, len(CHANNELS)
    cell = lambda view, row, col: np.asarray(view).reshape(2 * r + 1, 2 * r + 1, c)[row + r, col + r]
    # learner 0 at (2, 2): body 1 at (2, 3) is one cell right, drawn with its food; erased, that cell is empty
    assert cell(own[0], 0, 1)[CHANNELS.index("body")] == 1 and cell(own[0], 0, 1)[CHANNELS.index("carrying")] == 1
    assert not np.any(cell(erased[0, 1], 0, 1)[CHANNELS.index("body"):])
    changed = lambda i, j: (np.asarray(erased[i, j]) != np.asarray(own[i])).reshape(-1, c).any(axis=-1).sum()
    assert changed(0, 1) == 1 and changed(0, 2) == 1  # only that body's cell (body 2 at (4, 0) is in the corner)
    np.testing.assert_array_equal(erased[1, 2], own[1])  # body 2 is out of learner 1's sight from (2, 3)


def test_the_imagined_liking_probe_against_a_slow_reference():
    """``world.social.liking_probe``: each step logs the valence of a thought of each body formed now; checked
    for one learner against encoding each portrait by hand, and logged ``[N, M]`` by the system."""
    cfg = override(preset("tiny", "social"), ["world.characters=friend,bully", "world.social.liking_probe=true",
                                              "train.num_envs=2"])  # fmt: skip
    agent = make_agent(cfg)
    init, step = make_system(agent)
    s = init(jax.random.PRNGKey(0))
    s, metrics = jax.jit(step)(s, jax.random.PRNGKey(1))
    n, m = agent.world.num_agents, len(kinds_of(cfg))
    chex.assert_shape(metrics["social/like_imagined"], (n, m))
    assert np.all(np.isfinite(metrics["social/like_imagined"]))
    # one learner (copy 0, body 1), with random assessors so that the valence head says something
    brain = s.brain._replace(assessors=jax.random.normal(jax.random.PRNGKey(3), s.brain.assessors.shape))
    one_brain = jax.tree.map(lambda x: x[1], brain)
    agent_state = jax.tree.map(lambda x: x[0, 1], s.agents)
    world_state = jax.tree.map(lambda x: x[0], s.world)
    _, thought = agent.think(one_brain, agent_state, jax.random.PRNGKey(4))
    views = agent.world.portraits(world_state)
    got = jax.jit(agent.imagined_valence)(one_brain, thought, agent_state, views)
    chex.assert_shape(got, (m,))
    g, params, valence = agent.generator, one_brain.generator, agent.head_names.index("valence")
    for j in range(m):
        h, e = g.apply(params, thought.h_in, thought.a_in, views[j], thought.intero_in,
                       jnp.zeros_like(thought.mask), method="encode")  # fmt: skip
        phi = np.asarray(g.apply(params, h, jnp.asarray([thought.a_in]), e, method="thoughts")[0][0])
        phi = np.asarray(agent.features(phi, 1.0))
        ref = float(np.dot(np.asarray(one_brain.assessors[valence]) * np.asarray(agent.heads.read_mask[valence]), phi))
        np.testing.assert_allclose(float(got[j]), ref, rtol=1e-4, atol=1e-5)
    assert len(set(np.round(np.asarray(got), 6).tolist())) > 1  # the bodies' portraits differ
    # the presence probe: the valence of one's own view (interoception attended) minus that view without body j
    chex.assert_shape([metrics["social/presence_sum"], metrics["social/in_view"]], [(n, m), (n, m)])
    own, erased = views[1], agent.world.absences(world_state)[1]
    added = jax.jit(agent.presence_valence)(one_brain, thought, agent_state, own, erased)
    chex.assert_shape(added, (m,))

    def valence_of(view):
        h, e = g.apply(params, thought.h_in, thought.a_in, view, thought.intero_in, jnp.ones_like(thought.mask),
                       method="encode")  # fmt: skip
        phi = np.asarray(agent.features(g.apply(params, h, jnp.asarray([thought.a_in]), e, method="thoughts")[0][0],
                                        0.0))  # fmt: skip
        return float(np.dot(np.asarray(one_brain.assessors[valence]) * np.asarray(agent.heads.read_mask[valence]), phi))

    for j in range(m):
        np.testing.assert_allclose(float(added[j]), valence_of(own) - valence_of(erased[j]), rtol=1e-4, atol=1e-4)
        if np.array_equal(erased[j], own):
            assert float(added[j]) == 0.0  # a body out of sight adds nothing


def test_harmless_characters_never_give_or_threaten():
    """``world.social.harmless``: the friend beside a learner while carrying food, and the bully beside it, act
    by their scripts except that they never give or threaten (without the flag both do within 64 draws)."""
    from agi.worlds.social import characters as chars

    def acts(harmless):
        p = SocialParams(size=5, n_food=1, n_spiders=0, n_decoys=0, n_agents=1, characters=("friend", "bully"),
                         harmless=harmless)  # fmt: skip
        w = Social(p)
        s, _, _ = w.reset(jax.random.PRNGKey(0))
        s = s._replace(pos=jnp.asarray([[2, 2], [2, 3], [1, 2]], jnp.int32), carry=jnp.asarray([0.0, 1.0, 0.0]))
        keys = jax.random.split(jax.random.PRNGKey(1), 64)
        return np.asarray(jax.vmap(lambda k: chars.act(k, s, p, jnp.asarray(p.kinds)))(keys))[:, 1:]

    touching = lambda a: (a == GIVE) | (a == THREATEN)
    assert touching(acts(False)[:, 0]).any() and touching(acts(False)[:, 1]).any()
    assert not touching(acts(True)).any()
    assert len(np.unique(acts(True))) > 1  # they still move


def test_the_friend_approaches_at_its_rate():
    """``world.social.friend_approach``: a friend two cells from the learner, with nothing to give, steps toward
    it on about that share of draws (otherwise it roams, which reaches the learner's side one time in four)."""
    from agi.worlds.social import characters as chars

    def toward_share(rate):
        p = SocialParams(size=5, n_food=1, n_spiders=0, n_decoys=0, n_agents=1, characters=("friend",),
                         friend_approach=rate)  # fmt: skip
        s, _, _ = Social(p).reset(jax.random.PRNGKey(0))
        s = s._replace(pos=jnp.asarray([[2, 0], [2, 2]], jnp.int32), carry=jnp.asarray([0.0, 0.0]))
        keys = jax.random.split(jax.random.PRNGKey(1), 2000)
        a = np.asarray(jax.vmap(lambda k: chars.act(k, s, p, jnp.asarray(p.kinds)))(keys))[:, 1]
        return float(np.mean(a == chars._toward(jnp.asarray([[0, -2]]))[0]))

    for rate in (0.0, 0.6, 1.0):  # toward = rate + (1 − rate) / 4 (a roam picks one of four directions)
        np.testing.assert_allclose(toward_share(rate), rate + (1 - rate) / 4, atol=0.035)


def test_absences_without_portraits_are_refused():
    cfg = override(preset("tiny", "social"), ["world.social.liking_probe=true"])
    agent = make_agent(cfg)
    with pytest.raises(ValueError, match="absences without portraits"):
        make_system(agent._replace(world=agent.world._replace(portraits=None)))


def test_fear_reading_moments_against_a_slow_reference():
    """The fear readout's r, its shuffled control and the finder's self-probe equal numpy's Pearson r over the
    steps each one is weighted to (hand-built readouts; agi.worlds.social.report.empathy_moments)."""
    from types import SimpleNamespace

    from agi.metrics import Correlation
    from agi.worlds.social.report import empathy_moments

    rng = np.random.default_rng(0)
    e, n, steps = 3, 2, 200
    draw = lambda: rng.uniform(0, 1, (steps, e, n)).astype(np.float32)
    truth, readout, own, finder = draw(), draw(), draw(), draw()
    readout = 0.5 * truth + 0.5 * readout  # a readout that partly follows the truth
    oriented = (rng.uniform(size=(steps, e, n)) < 0.4).astype(np.float32)
    out = lambda t: SimpleNamespace(diagnostics={"learned_conspecific_fear": readout[t],
                                                 "oracle_conspecific_fear": truth[t] * oriented[t]},
                                    signals={"fear": own[t]})  # fmt: skip
    per_step = [empathy_moments(out(t), {"looked_fear": truth[t]}, oriented[t], finder=finder[t],
                                reflex=oriented[t], feeling="fear") for t in range(steps)]  # fmt: skip
    mean = lambda k: np.mean([m[k] for m in per_step])
    r = lambda name: float(Correlation(f"empathy/fear_{name}").of(mean))

    o = oriented.astype(bool)
    np.testing.assert_allclose(r("learned"), np.corrcoef(readout[o], truth[o])[0, 1], atol=1e-5)
    np.testing.assert_allclose(r("oracle"), 1.0, atol=1e-5)
    np.testing.assert_allclose(r("probe"), np.corrcoef(finder[~o], own[~o])[0, 1], atol=1e-5)
    both = o & np.roll(o, 1, axis=1)  # a readout against another world's looked-at body, where both looked
    shuffled = np.corrcoef(readout[both], np.roll(truth, 1, axis=1)[both])[0, 1]
    np.testing.assert_allclose(r("shuffled"), shuffled, atol=1e-5)
    assert r("learned") > 0.5 and abs(r("shuffled")) < 0.2
    assert "empathy/learned/n" not in per_step[0]  # pleasure's names stay its own


def test_the_finders_attended_switch_reaches_the_finder_heads():
    for on in (False, True):
        agent = make_agent(override(preset("tiny", "social"), [f"steering.empathy.finders_attended={str(on).lower()}"]))
        settings = agent.head_settings
        assert [settings[n].attended for n in ("finder_pleasure", "finder_fear", "pleasure")] == [on, on, False]


def test_sights_tell_a_spider_from_a_decoy_in_a_hand_drawn_view():
    from agi.worlds.social.report import sights

    view = np.zeros((3, 5, 5, len(CHANNELS)), np.float32)
    view[0, 1, 2, C["legs"]] = view[0, 1, 2, C["dark"]] = 1.0  # a spider
    view[1, 4, 0, C["legs"]] = 1.0  # a decoy (legs alone)
    view[1, 0, 0, C["dark"]] = view[1, 0, 0, C["food"]] = 1.0  # darkness without legs is neither
    view[2, 3, 3, C["legs"]] = view[2, 3, 3, C["dark"]] = view[2, 0, 1, C["legs"]] = 1.0  # both
    seen = jax.jit(sights)(jnp.asarray(view))
    np.testing.assert_array_equal(seen["spider"], [1, 0, 1])
    np.testing.assert_array_equal(seen["decoy"], [0, 1, 1])
    np.testing.assert_array_equal(seen["food"], [0, 1, 0])
