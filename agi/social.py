"""The social world's agents: their Steering Subsystem, the multi-agent system step, and its metrics.

Each world holds ``N`` learning agents; learner ``n`` of every environment shares brain ``n`` (so a seed has
``N`` brains, each trained on the mean of its ``num_envs`` copies' learning signals). One step:

    think (all learners, vmapped)  ->  world.step (joint)  ->  feel (Steering, vmapped)
    ->  world.render (expressions written, next views drawn, oriented by the social attention reflex)

References: DESIGN.md §5 (drives), §7 (social world), §8; 001 Ingredients 1-4, §5-§7.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
import optax

import steering as st
from agi.config import RunConfig
from agi.worlds.characters import FRIEND, KINDS, LEARNER
from agi.worlds.social import CHANNELS, GIVE, THREATEN, SocialParams
from steering.drives import (
    make_arousal,
    make_arousal_valence,
    make_fear,
    make_homeostasis,
    make_pain,
    make_sensory_heuristics,
)
from steering.drives.social import (
    make_compassion_spite,
    make_concept_finders,
    make_conspecific_detector,
    make_empathy_readout,
    make_familiarity,
    make_feared,
    make_friend_enemy,
    make_lack_of_attention,
    make_liked_admired,
    make_mood,
    make_social_attention,
)

SOCIAL_DRIVES = ("compassion_spite", "liked_admired", "feared")
"""The drives whose reward share summary.json reports per agent."""
FINDERS = ("finder_pleasure", "finder_fear")


def _kinds(cfg: RunConfig):
    return (LEARNER,) * cfg.world.n_agents + tuple(KINDS.index(c) for c in cfg.world.characters)


def build_social_steering(cfg: RunConfig, body) -> st.SteeringSubsystem:
    """The social world's drives, in the order they run (each reads what the ones before it wrote)."""
    s = cfg.steering
    kinds = _kinds(cfg)
    fe_priors = [s.fe_prior_friend if k == FRIEND else s.fe_prior for k in kinds]
    familiar = [1.0 if KINDS[k] in ("learner", "friend", "elder") else 0.0 for k in kinds]
    drives = [
        make_sensory_heuristics(CHANNELS.index("legs"), CHANNELS.index("food"), s.detect_radius),
        make_conspecific_detector(),
        make_homeostasis(s.w_eat, s.w_hunger, s.hunger_rate, s.satiation, pleasure=False),
        make_pain(s.w_pain, s.pain_decay),
        make_familiarity(familiar, s.familiarity_rate, s.theta_familiar),
        make_fear(s.w_fear, s.tau_safe, s.safety_pull, triggers=("spider_detected", "stranger_close", "threatened")),
        make_social_attention(s.sa_period_view, s.sa_period_eye, s.sa_theta),
        make_arousal(s.a_spider, s.a_bite, s.a_defer, s.arousal_decay, s.a_orient, s.a_eye, s.a_size),
        make_friend_enemy(fe_priors, s.fe_rate, s.fe_baseline_rate),
        make_empathy_readout(s.empathy),
        make_compassion_spite(s.w_cs),
        *([make_liked_admired(s.w_la, s.la_adapt)] if s.liked_admired == "explicit" else []),
        make_feared(s.w_feared, s.theta_feared),
        make_arousal_valence(s.kappa, s.rho, s.theta_over, s.theta_pos),
        make_mood(s.mood_decay, s.mood_gain),
        make_lack_of_attention(),
        make_concept_finders(),
    ]
    return st.make_steering(drives, body)


def social_params(cfg: RunConfig) -> SocialParams:
    """The social world's parameters from the run config."""
    return SocialParams(**{k: getattr(cfg.world, k) for k in SocialParams._fields})


def agent_metrics(senses, out, oriented, thought, prev_action, valid, fear_before, food_seen, afraid_at):
    """Per-learner social quantities for one step (scalars, plus the friend/enemy vector). Besides the rates of
    summary.json they carry what the experiments of DESIGN.md §9 measure (agi.experiments). ``fear_before`` and
    ``food_seen`` belong to the thought the step's action was chosen by (its body state and its view)."""
    d, r, sig = out.diagnostics, out.reward_by_drive, out.signals
    zero = jnp.zeros((), jnp.float32)
    eye = senses["eye_contact"]
    looked_eye = senses["looked_eye_contact"]  # eye contact with the body the current thought is about
    cs = jnp.abs(r.get("compassion_spite", zero))
    close, watched = senses["conspecific_close"], senses["watched"]
    afraid = (fear_before > afraid_at).astype(jnp.float32)
    rare = ((prev_action == GIVE) | (prev_action == THREATEN)).astype(jnp.float32) * valid
    moves = ((prev_action >= 1) & (prev_action <= 4)).astype(jnp.float32) * valid
    td = jnp.abs(thought.delta[0]) * valid
    food = food_seen
    m = {
        "give": senses["gave"],
        "threaten": senses["did_threaten"],
        "eye_contact": eye,
        "oriented": oriented,
        "eye_oriented": looked_eye * oriented,
        # |compassion/spite reward| in eye-contact moments (with the body the thought is about) and in others
        "cs_eye_contact": cs * looked_eye,
        "cs_other": cs * (1.0 - looked_eye),
        "abs_reward_total": sum(jnp.abs(v) for v in r.values()),
        **{f"abs_reward/{k}": jnp.abs(r[k]) for k in SOCIAL_DRIVES if k in r},
        # stranger danger: fear felt while a conspecific is close
        "close": close,
        "fear_close": sig.get("fear", zero) * close,
        # the elder's norm: eating in front of it
        "watched": watched,
        "eat_watched": senses["ate_own"] * watched,
        "eat": senses["ate_own"],
        # feared: threatening while afraid (the fear the action was chosen under)
        "afraid": afraid,
        "threaten_afraid": senses["did_threaten"] * afraid,
        # halo: the valence of thoughts whose view shows food
        "food_in_view": food,
        "valence_food": thought.q * food,
        "valence_nofood": thought.q * (1.0 - food),
        # inner vs outer misalignment: |valence TD error| after rare plans (give, threaten) and after moves
        "rare": rare,
        "td_rare": td * rare,
        "moves": moves,
        "td_moves": td * moves,
    }
    fe = d.get("friend_enemy")
    return m, fe


def face_code(extero, view_shape):
    """``pleased − displeased`` at the centre of each view ``[..., X]``: what a perfect reader of the quantised
    face it is looking at would say (a reference for the empathy readout, never an input to the agent)."""
    v = extero.reshape(*extero.shape[:-1], *view_shape)
    c = view_shape[0] // 2
    return v[..., c, c, CHANNELS.index("pleased")] - v[..., c, c, CHANNELS.index("displeased")]


def empathy_moments(out, senses, oriented, face=None, phi_pleasure=None, finder=None):
    """Sums for the correlation of the empathy readout with the looked-at body's true pleasure, over the steps
    where the current thought was oriented: ``[E, N]`` inputs to per-step means. ``shuffled`` pairs each
    readout with the true pleasure of the conspecific another environment's learner was looking at."""
    d = out.diagnostics
    if "learned_conspecific_pleasure" not in d:
        return {}
    o = oriented
    x, y = d["learned_conspecific_pleasure"], senses["looked_pleasure"]
    z = d["oracle_conspecific_pleasure"]
    ys, os_ = jnp.roll(y, 1, axis=0), jnp.roll(o, 1, axis=0) * o
    moments = {}
    pairs = {"learned": (x, y, o), "oracle": (z, y, o), "shuffled": (x, ys, os_)}
    if face is not None:
        pairs["face"] = (face, y, o)
    if phi_pleasure is not None:
        pairs["phi_int"] = (phi_pleasure, y, o)
    if finder is not None:  # the finder as a probe of one's own pleasure, on thoughts about oneself (001 §3.2)
        pairs["probe"] = (finder, out.signals["pleasure"], 1.0 - o)
    for name, (a, b, w) in pairs.items():
        moments.update({f"empathy/{name}/{k}": jnp.mean(v) for k, v in
                        {"n": w, "x": w * a, "y": w * b, "xy": w * a * b, "xx": w * a * a, "yy": w * b * b}.items()})
    return moments


def make_social_system(agent, tx: optax.GradientTransformation, state_cls):
    """``(init, step)`` for one seed of the social world (see the module docstring)."""
    cfg = agent.cfg
    world = agent.world
    e, n = cfg.train.num_envs, world.num_agents
    learn = cfg.agent.learn

    def init(key, knobs=None):
        kb, kw, ka = jax.random.split(key, 3)
        brains = jax.lax.map(agent.init_brain, jax.random.split(kb, n))  # lax.map: see train.loop (QR deadlock)
        wstate, extero, _ = jax.vmap(world.reset)(jax.random.split(kw, e))
        keys = jax.random.split(ka, (e, n))
        agents = jax.vmap(jax.vmap(agent.new_state))(keys, extero)
        opt_state = jax.vmap(tx.init)(brains.generator)
        knobs = agent.knobs if knobs is None else knobs
        return state_cls(brains, opt_state, agents, jnp.zeros((), jnp.int32), wstate, knobs)

    think = jax.vmap(jax.vmap(agent.think), in_axes=(None, 0, 0))  # inner: learners (own brains); outer: envs
    feel = jax.vmap(jax.vmap(agent.feel, in_axes=(0, 0, 0, 0, 0, None)), in_axes=(0, 0, 0, 0, 0, None))

    def step(s, key):
        k_think, k_world = jax.random.split(key)
        actions, thoughts = think(s.brain, s.agents, jax.random.split(k_think, (e, n)))
        wstate, senses = jax.vmap(world.step)(jax.random.split(k_world, e), s.world, actions)
        done = jnp.zeros((e, n), bool)
        agents, learning, metrics, out = feel(s.agents, thoughts, s.agents.extero, senses, done, s.knobs)
        wstate, extero, oriented = jax.vmap(world.render)(wstate, out.signals["pleasure"], out.signals["fear"],
                                                          agents.orient)  # fmt: skip
        # Interoception stays masked only for thoughts the reflex really oriented (someone was in view).
        attention = 1.0 - (1.0 - agents.attention) * oriented[..., None]
        agents = agents._replace(extero=extero, orient=oriented, attention=attention)

        brain, opt_state = s.brain, s.opt_state
        loss_metrics = {}
        if learn:  # learner n's brain: one gradient of its mean loss over the environments
            grads, loss_metrics = jax.vmap(agent.generator_grads, in_axes=(0, 0, 1))(
                brain.generator, brain.assessors, learning.loss_inputs
            )
            loss_metrics = {k: jnp.mean(v) for k, v in loss_metrics.items()}
            updates, opt_state = jax.vmap(tx.update)(grads, opt_state, brain.generator)
            brain = brain._replace(
                generator=optax.apply_updates(brain.generator, updates),
                assessors=brain.assessors + jnp.mean(learning.assessor_delta, axis=0),
            )
        fear_before = s.agents.intero[..., agent.steering.body.index("fear")]
        view = s.agents.extero.reshape(e, n, *world.view_shape)
        food_seen = jnp.max(view[..., CHANNELS.index("food")], axis=(-2, -1))
        metrics_of = functools.partial(agent_metrics, afraid_at=cfg.steering.theta_feared)
        social, fe = jax.vmap(jax.vmap(metrics_of))(senses, out, s.agents.orient, thoughts, s.agents.pending.action,
                                                    s.agents.pending.valid, fear_before, food_seen)  # fmt: skip
        flat = {k: jnp.mean(v) for k, v in metrics.items() if k not in ("episodes", "episode_return_sum")}
        flat.update(loss_metrics)
        phi_pleasure = thoughts.phi_int[..., agent.steering.body.index("pleasure")]
        face = face_code(s.agents.extero, world.view_shape)
        names = agent.head_names
        finder = thoughts.p[..., names.index("finder_pleasure")] if "finder_pleasure" in names else None
        flat.update(empathy_moments(out, senses, s.agents.orient, face, phi_pleasure, finder))
        for k, v in social.items():
            per_agent = jnp.mean(v, axis=0)
            flat.update({f"social/{k}/{i}": per_agent[i] for i in range(n)})
        if fe is not None:
            fe_mean = jnp.mean(fe, axis=0)  # [N, M]
            flat.update({f"social/fe/{i}/{j}": fe_mean[i, j] for i in range(n) for j in range(fe.shape[-1])})
        return state_cls(brain, opt_state, agents, s.step + 1, wstate, s.knobs), flat

    return init, step


def correlation(mean):
    """Pearson correlation per seed from windowed means of the moments written by ``empathy_moments``."""
    def corr(name):
        g = lambda k: np.asarray(mean(f"empathy/{name}/{k}"), np.float64)
        n = np.maximum(g("n"), 1e-12)
        mx, my = g("x") / n, g("y") / n
        cov = g("xy") / n - mx * my
        var = (g("xx") / n - mx**2) * (g("yy") / n - my**2)
        return np.where(var > 1e-12, cov / np.sqrt(np.maximum(var, 1e-24)), np.nan)

    names = ("learned", "oracle", "shuffled", "face", "phi_int", "probe")
    return {name: corr(name) for name in names if _has(mean, f"empathy/{name}/n")}


def social_summary(mean, cfg: RunConfig, stat) -> dict:
    """The ``social`` object of summary.json from per-seed window means (``mean(key) -> [seeds]``)."""
    kinds = [KINDS[k] for k in _kinds(cfg)]
    names = [f"{j}:{k}" for j, k in enumerate(kinds)]
    agents = []
    for i in range(cfg.world.n_agents):
        g = lambda k, i=i: np.asarray(mean(f"social/{k}/{i}"), np.float64)
        total = np.maximum(g("abs_reward_total"), 1e-12)
        eye, other = g("cs_eye_contact"), g("cs_other")
        agent = {
            "give_rate": stat(g("give")),
            "threaten_rate": stat(g("threaten")),
            "eye_contact_fraction": stat(g("eye_contact")),
            "oriented_fraction": stat(g("oriented")),
            "friend_enemy": {names[j]: stat(mean(f"social/fe/{i}/{j}")) for j in range(len(kinds)) if j != i},
            "reward_share": {d: stat(g(f"abs_reward/{d}") / total) for d in SOCIAL_DRIVES
                             if _has(mean, f"social/abs_reward/{d}/{i}")},
            "compassion_spite": {
                "eye_contact": stat(eye),
                "other": stat(other),
                "eye_contact_share": stat(eye / np.maximum(eye + other, 1e-12)),
            },
        }  # fmt: skip
        agents.append(agent)
    return {
        "bodies": names,
        "agents": agents,
        "empathy_correlation": {k: stat(v) for k, v in correlation(mean).items()},
        "empathy_note": "Pearson r, over steps whose thought was formed under the social attention reflex, between "
        "the empathy readout and the true pleasure of the body looked at; learned = concept finder through the "
        "reflex gate, oracle = the true state (ceiling), shuffled = readout vs another world's conspecific. The "
        "finder's learning-rate gate is 0 on exactly those steps, so none of them trained it.",
    }


def _has(mean, key):
    try:
        mean(key)
        return True
    except KeyError:
        return False


def describe(social: dict, baseline: dict | None = None) -> list[str]:
    """Plain-words lines on what the agents learned, for the terminal and the demo."""
    v = lambda s: float("nan") if s is None else s["mean"]
    lines = []
    for i, a in enumerate(social["agents"]):
        base = ""
        if baseline is not None:
            b = baseline["agents"][i]
            base = f" (random policy: {v(b['give_rate']):.2%} / {v(b['threaten_rate']):.2%})"
        fe = ", ".join(f"{k} {v(s):+.2f}" for k, s in a["friend_enemy"].items())
        cs = a["compassion_spite"]
        lines.append(
            f"agent {i}: gives food on {v(a['give_rate']):.2%} of steps and threatens on {v(a['threaten_rate']):.2%}"
            f"{base}; eye contact {v(a['eye_contact_fraction']):.1%} of steps; friend/enemy: {fe}; "
            f"{v(cs['eye_contact_share']):.0%} of its compassion/spite reward came in eye-contact moments"
        )
    e = social["empathy_correlation"]
    lines.append(
        f"empathy: the learned readout of a conspecific's pleasure correlates r = {v(e['learned']):.2f} with its true "
        f"pleasure (shuffled control {v(e['shuffled']):.2f}, oracle {v(e['oracle']):.2f})"
    )
    return lines
