"""What the social world measures: per-step probes of each learner (inside the compiled step), the summary of
a run, the plain-words lines, and what ``agi ablate`` compares.

References: DESIGN.md §7 (social world), §9 (experiments); 001 §3-§7.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np

from agi import metrics
from agi.worlds.social.characters import KINDS
from agi.worlds.social.steering import SOCIAL_DRIVES, kinds_of
from agi.worlds.social.world import CHANNELS, GIVE, THREATEN


def agent_metrics(senses, out, oriented, thought, prev_action, valid, fear_before, seen, afraid_at, valence=0,
                  kinds=None):
    """Per-learner social quantities for one step (scalars, plus the friend/enemy vector). Besides the rates of
    summary.json they carry what the experiments of DESIGN.md §9 measure (agi.experiments). ``fear_before`` and
    ``seen`` (``sights``) belong to the thought the step's action was chosen by (its body state and its view).
    ``kinds [M]`` (the bodies' kinds) splits some rates by who was involved; the world
    knows who is who, Steering does not (its senses carry no identity)."""
    d, r, sig = out.diagnostics, out.reward_by_drive, out.signals
    zero = jnp.zeros((), jnp.float32)
    eye = senses["eye_contact"]
    looked_eye = senses["looked_eye_contact"]  # eye contact with the body the current thought is about
    cs = jnp.abs(r.get("compassion_spite", zero))
    close, watched = senses["conspecific_close"], senses["watched"]
    afraid = (fear_before > afraid_at).astype(jnp.float32)
    rare = ((prev_action == GIVE) | (prev_action == THREATEN)).astype(jnp.float32) * valid
    moves = ((prev_action >= 1) & (prev_action <= 4)).astype(jnp.float32) * valid
    td = jnp.abs(thought.delta[valence]) * valid
    give_try = (prev_action == GIVE).astype(jnp.float32) * valid
    threaten_try = (prev_action == THREATEN).astype(jnp.float32) * valid
    food = seen["food"]
    is_ = lambda kind: (kinds == KINDS.index(kind)).astype(jnp.float32)
    stranger = jnp.dot(senses["oracle/attended"], is_("stranger"))  # the close body (if any) is a stranger
    friend = is_("friend")
    fear = sig.get("fear", zero)
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
        "fear_close": fear * close,
        "close_stranger": close * stranger,
        "fear_close_stranger": fear * close * stranger,
        "close_familiar": close * (1.0 - stranger),
        "fear_close_familiar": fear * close * (1.0 - stranger),
        # compassion / spite: eye contact with the friend or another body, to whom food was given, whom it threatened
        "eye_friend": eye * jnp.dot(senses["oracle/attended"], friend),
        "eye_other": eye * jnp.dot(senses["oracle/attended"], 1.0 - friend),
        "give_friend": jnp.dot(senses["oracle/gave_to"], friend),
        "give_other": jnp.dot(senses["oracle/gave_to"], 1.0 - friend),
        "threaten_friend": jnp.dot(senses["oracle/threatened_whom"], friend),
        "threaten_other": jnp.dot(senses["oracle/threatened_whom"], 1.0 - friend),
        # what giving needs: carrying food, and the friend as the body a give would reach (after this step)
        "carrying": senses["oracle/carrying"],
        "friend_in_reach": jnp.dot(senses["oracle/give_target"], friend),
        "ready_friend": senses["oracle/carrying"] * jnp.dot(senses["oracle/give_target"], friend),
        # the compassion/spite reward on the thought after a give / a threaten (about its recipient: touch orients)
        "cs_after_give": r.get("compassion_spite", zero) * give_try,
        "threaten_tries": threaten_try,
        "cs_after_threaten": r.get("compassion_spite", zero) * threaten_try,
        # the elder's norm: eating in front of it
        "watched": watched,
        "eat_watched": senses["ate_own"] * watched,
        "unwatched": 1.0 - watched,
        "eat_unwatched": senses["ate_own"] * (1.0 - watched),
        "eat": senses["ate_own"],
        # feared: threatening while afraid (the fear the action was chosen under)
        "afraid": afraid,
        "threaten_afraid": senses["did_threaten"] * afraid,
        # halo: the valence of thoughts whose view shows food
        "food_in_view": food,
        # what the innate legs detector is fooled by (001 §1): a spider (legs, dark) or a harmless decoy (legs) in view
        **{k: seen[k.removesuffix("_in_view")] for k in LEGS_IN_VIEW},
        "valence_food": thought.q * food,
        "valence_nofood": thought.q * (1.0 - food),
        # halo with neutral items: the valence of thoughts whose view shows a toy the friend / the bully enjoys
        **{f"{k}_in_view": seen[k] for k in ("toy_a", "toy_b")},
        **{f"valence_{k}": thought.q * seen[k] for k in ("toy_a", "toy_b")},
        # inner vs outer misalignment: |valence TD error| after rare plans (give, threaten) and after moves
        "rare": rare,
        "td_rare": td * rare,
        "moves": moves,
        "td_moves": td * moves,
        "give_tries": give_try,
        "td_give": td * give_try,
    }
    # who the current thought is about, and the friend/enemy signal on it (per body: [M])
    looked = senses["oracle/looked"]
    # the liking probe (000 §4.3): the valence head on the thought about each body
    per_body = {"about": looked, "fe_about": d.get("fe_looked", zero) * looked, "like_about": thought.q * looked,
                # what each body did to this learner: the payoffs that liking should come to follow (000 §4.3)
                "received_from": senses["oracle/received_from"], "threatened_by": senses["oracle/threatened_by"]}
    return m, per_body


LEGS_IN_VIEW = ("spider_in_view", "decoy_in_view")
"""The social metrics of the sights the legs detector fires on (absent from windows saved before 2026-12-07)."""


def sights(view) -> dict:
    """``{name: [...]}``, 1 where the view ``[..., rows, cols, channels]`` shows it anywhere: ``food``, ``toy_a``,
    ``toy_b``, a ``spider`` (legs and dark) and a ``decoy`` (legs alone: what fools the innate detector, 001 §1)."""
    seen = {k: jnp.max(view[..., CHANNELS.index(k)], axis=(-2, -1)) for k in ("food", "toy_a", "toy_b")}
    legs, dark = view[..., CHANNELS.index("legs")], view[..., CHANNELS.index("dark")]
    seen["spider"] = jnp.max(legs * dark, axis=(-2, -1))
    seen["decoy"] = jnp.max(legs * (1.0 - dark), axis=(-2, -1))
    return seen


def face_code(extero, view_shape, feeling="pleasure"):
    """What a perfect reader of the quantised face at the centre of each view ``[..., X]`` would say of its
    ``feeling``: ``pleased − displeased`` for pleasure, ``afraid`` for fear (a reference for the empathy
    readout, never an input to the agent)."""
    v = extero.reshape(*extero.shape[:-1], *view_shape)
    c = view_shape[0] // 2
    centre = lambda name: v[..., c, c, CHANNELS.index(name)]
    return centre("pleased") - centre("displeased") if feeling == "pleasure" else centre("afraid")


def empathy_moments(out, senses, oriented, face=None, phi_pleasure=None, finder=None, reflex=None,
                    feeling="pleasure"):
    """Sums for the correlation of the empathy readout of ``feeling`` (pleasure or fear) with the looked-at body's
    true ``feeling``, over the steps where the current thought was oriented: ``[E, N]`` inputs to per-step means.
    ``shuffled`` pairs each readout with the true feeling of the conspecific another environment's learner was
    looking at; ``probe`` is the finder as a probe of one's own feeling on thoughts about oneself (001 §3.2).
    Pleasure's names are ``empathy/NAME``, fear's ``empathy/fear_NAME``."""
    d = out.diagnostics
    if f"learned_conspecific_{feeling}" not in d:
        return {}
    o = oriented
    x, y = d[f"learned_conspecific_{feeling}"], senses[f"looked_{feeling}"]
    z = d[f"oracle_conspecific_{feeling}"]
    ys, os_ = jnp.roll(y, 1, axis=0), jnp.roll(o, 1, axis=0) * o
    pairs = {"learned": (x, y, o), "oracle": (z, y, o), "shuffled": (x, ys, os_)}
    if face is not None:
        pairs["face"] = (face, y, o)
    if phi_pleasure is not None:
        pairs["phi_int"] = (phi_pleasure, y, o)
    if finder is not None:
        pairs["probe"] = (finder, out.signals[feeling], 1.0 - (o if reflex is None else reflex))
    prefix = "empathy/" if feeling == "pleasure" else f"empathy/{feeling}_"
    moments = {}
    for name, (a, b, w) in pairs.items():
        moments.update(metrics.moments(f"{prefix}{name}", a, b, w))
    return moments


EMPATHY = ("learned", "oracle", "shuffled", "face", "phi_int", "probe")
"""The readouts whose correlation with the looked-at body's true pleasure is measured (``empathy_moments``)."""
EMPATHY_FEAR = tuple(f"fear_{k}" for k in ("learned", "oracle", "shuffled", "face", "probe"))
"""The same for fear (``empathy_moments(feeling="fear")``): how well the learner reads fear on a face."""

DECLARED = metrics.Declared(derived={
    # the friend/enemy signal and the liking probe per thought about each body: [N, M]
    "social/fe_on": metrics.Ratio("social/fe_about", "social/about"),
    "social/like_on": metrics.Ratio("social/like_about", "social/about"),
    "social/presence_on": metrics.Ratio("social/presence_sum", "social/in_view"),
    **{f"empathy/r/{name}": metrics.Correlation(f"empathy/{name}") for name in EMPATHY + EMPATHY_FEAR},
})  # fmt: skip
"""The social world's derived metrics (``WorldSpec.metrics``)."""


def probes(agent, before, thoughts, senses, out, imagined=None, presence=None) -> dict:
    """The social world's per-step metrics (``WorldSpec.probes``): per learner ``social/KEY`` ``[N]``, the
    friend/enemy signal and the valence on thoughts about each body ``social/fe_about``, ``social/like_about``
    with ``social/about`` ``[N, M]``, and the empathy moments ``[]``. ``before`` is the agents' state the
    step's thoughts were formed in (``[E, N]``); ``imagined`` ``[E, N, M]`` (``world.liking_probe``): the
    valence of a thought of each body formed now (``Agent.imagined_valence``), ``social/like_imagined``;
    ``presence`` ``([E, N, M], [E, N, M] bool)``: what each body adds to the valence of one's own view now
    (``Agent.presence_valence``) and whether it is in that view, averaged where it is: ``social/presence_on``."""
    cfg, world = agent.cfg, agent.world
    e, n = before.h.shape[:2]
    body = agent.steering.body
    fear_before = before.intero[..., body.index("fear")]
    view = before.extero.reshape(e, n, *world.view_shape)
    seen = sights(view)
    metrics_of = functools.partial(agent_metrics, afraid_at=cfg.steering.feared.theta, valence=agent.valence,
                                   kinds=jnp.asarray(kinds_of(cfg)))  # fmt: skip
    social, per_body = jax.vmap(jax.vmap(metrics_of))(senses, out, before.orient, thoughts, before.pending.action,
                                                before.pending.valid, fear_before, seen)  # fmt: skip
    labelled = not (cfg.agent.intero_latent or cfg.agent.intero_mixing)  # φ_int has a pleasure unit to read
    phi_pleasure = thoughts.phi_int[..., body.index("pleasure")] if labelled else None
    face = face_code(before.extero, world.view_shape)
    names = agent.head_names
    finder = {x: thoughts.p[..., names.index(f"finder_{x}")] if f"finder_{x}" in names else None
              for x in ("pleasure", "fear")}
    # the readout is scored where the world centred the thought on someone (whose true pleasure is known); the
    # finder as a probe of one's own pleasure on thoughts not formed under the reflex
    on_someone = jnp.sum(senses["oracle/looked"], axis=-1)
    flat = empathy_moments(out, senses, on_someone, face, phi_pleasure, finder["pleasure"], reflex=before.orient)
    flat.update(empathy_moments(out, senses, on_someone, face_code(before.extero, world.view_shape, "fear"),
                                finder=finder["fear"], reflex=before.orient, feeling="fear"))
    flat.update({f"social/{k}": jnp.mean(v, axis=0) for k, v in {**social, **per_body}.items()})
    if imagined is not None:
        flat["social/like_imagined"] = jnp.mean(imagined, axis=0)
    if presence is not None:
        added, in_view = presence[0], presence[1].astype(jnp.float32)
        flat["social/presence_sum"] = jnp.mean(added * in_view, axis=0)
        flat["social/in_view"] = jnp.mean(in_view, axis=0)
    return flat


def about(run, what, kind, window="last"):
    """Per seed, averaged over learners: the mean of ``what`` (``fe``: the friend/enemy signal; ``like``: the
    valence; ``presence``: what the body in view adds to the valence) on thoughts about the first body of
    ``kind``."""
    return per_body_of(run, f"social/{what}_on", kind, window)


def per_body_of(run, key, kind, window="last"):
    """Per seed, averaged over learners: the per-body metric ``key`` ``[seeds, N, M]`` for the first body of
    ``kind``."""
    return _of_kind(getattr(run, window), run.cfg, key, kind)


def _of_kind(window, cfg, key, kind):
    kinds = [KINDS[k] for k in kinds_of(cfg)]
    return np.mean(window.mean(key)[:, :, kinds.index(kind)], axis=1)


TOWARD_CHARACTERS = (("friend_enemy", "social/fe_on"), ("presence", "social/presence_on"),
                     ("in_view", "social/in_view"), ("gifts_from", "social/received_from"),
                     ("threats_from", "social/threatened_by"))  # fmt: skip
"""What ``behaviour`` reports per scripted character (the first of each kind), as ``NAME/KIND``: the friend/enemy
signal on thoughts of it, the presence probe (with ``world.social.liking_probe``), how often it is in view, and
how often it gives to or threatens the learner."""


def social_summary(window, cfg, stat) -> dict:
    """The ``social`` object of summary.json from a window (``agi.metrics.Window``) of the social metrics."""
    kinds = [KINDS[k] for k in kinds_of(cfg)]
    names = [f"{j}:{k}" for j, k in enumerate(kinds)]
    fe, like = window.mean("social/fe_on"), window.mean("social/like_on")  # [seeds, N, M]
    imagined = window.mean("social/like_imagined") if "social/like_imagined" in window else None
    presence = window.mean("social/presence_on") if "social/presence_sum" in window.sums else None
    received, threatened = window.mean("social/received_from"), window.mean("social/threatened_by")
    agents = []
    for i in range(cfg.world.social.n_agents):
        g = lambda k, i=i: np.asarray(window.mean(f"social/{k}")[:, i], np.float64)
        others = lambda x, i=i: {names[j]: stat(x[:, i, j]) for j in range(len(kinds)) if j != i}  # [seeds, N, M]
        total = np.maximum(g("abs_reward_total"), 1e-12)
        eye, other = g("cs_eye_contact"), g("cs_other")
        agent = {
            "give_rate": stat(g("give")),
            "threaten_rate": stat(g("threaten")),
            # foraging, and how much of the grid it keeps in view (the arousal x valence interaction makes hungry
            # learners hide: docs/results.md, arousal_hiding)
            "eat_rate": stat(g("eat")),
            "food_in_view_fraction": stat(g("food_in_view")),
            # the sights the innate legs detector fires on: a spider, or a harmless decoy (001 §1); None in windows
            # saved before they were measured
            **{f"{k}_fraction": stat(g(k)) if f"social/{k}" in window else None for k in LEGS_IN_VIEW},
            "eye_contact_fraction": stat(g("eye_contact")),
            "oriented_fraction": stat(g("oriented")),
            # what each body did to this learner, per step: the payoffs liking should follow
            "fed_by": others(received),
            "threatened_by": others(threatened),
            "friend_enemy": others(fe),
            # the liking probe (000 §4.3): the valence head on thoughts about each body
            "liking": others(like),
            # with ``world.social.liking_probe``: the valence of a thought of each body formed now, every step
            **({"liking_imagined": others(imagined)} if imagined is not None else {}),
            # and what each body adds to the valence of one's own view, where it is in view
            **({"liking_presence": others(presence)} if presence is not None else {}),
            "reward_share": {d: stat(g(f"abs_reward/{d}") / total) for d in SOCIAL_DRIVES
                             if f"social/abs_reward/{d}" in window.sums},
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
        "empathy_correlation": {k: stat(window.mean(f"empathy/r/{k}")) for k in EMPATHY + EMPATHY_FEAR
                                if f"empathy/r/{k}" in window},  # fmt: skip
        "empathy_note": "Pearson r, over steps whose thought was formed under the social attention reflex, between "
        "the empathy readout and the true pleasure (fear_*: fear) of the body looked at; learned = concept finder "
        "through the reflex gate, oracle = the true state (ceiling), shuffled = readout vs another world's "
        "conspecific, face = a perfect reader of the quantised face; probe = the finder against one's own feeling "
        "on thoughts about oneself. The finder's learning-rate gate is 0 on oriented steps, so none of them trained "
        "it.",
    }


def describe(social: dict, baseline: dict | None = None) -> list[str]:
    """Plain-words lines on what the agents learned, for the terminal and the demo."""
    v = lambda s: float("nan") if s is None else s["mean"]
    lines = []
    for i, a in enumerate(social["agents"]):
        base = forage_base = ""
        if baseline is not None:
            b = baseline["agents"][i]
            base = f" (random policy: {v(b['give_rate']):.2%} / {v(b['threaten_rate']):.2%})"
            forage_base = (f" (random policy: {v(b['eat_rate']):.2%} / {v(b['food_in_view_fraction']):.0%} / "
                           f"{v(b.get('decoy_in_view_fraction')):.0%})")  # fmt: skip
        fe = ", ".join(f"{k} {v(s):+.2f}" for k, s in a["friend_enemy"].items())
        like = ", ".join(f"{k} {v(s):+.2f}" for k, s in a.get("liking", {}).items())
        presence = ", ".join(f"{k} {v(s):+.3f}" for k, s in a.get("liking_presence", {}).items())
        presence = f"; what each body in view adds to its valence: {presence}" if presence else ""
        counts = {k: v(s) for k, s in a["friend_enemy"].items() if s is not None}
        friend = max(counts, key=counts.get) if counts else None
        enemy = min(counts, key=counts.get) if counts else None
        cs = a["compassion_spite"]
        verdict = (f"counts {friend} most as a friend ({counts[friend]:+.2f}) and {enemy} most as an enemy "
                   f"({counts[enemy]:+.2f}); " if counts else "")  # fmt: skip
        lines.append(
            f"agent {i}: gives food on {v(a['give_rate']):.2%} of steps and threatens on {v(a['threaten_rate']):.2%}"
            f"{base}; eats on {v(a['eat_rate']):.2%} of steps, with food in view on {v(a['food_in_view_fraction']):.0%}"
            f" and a harmless decoy on {v(a.get('decoy_in_view_fraction')):.0%}{forage_base}; {verdict}"
            f"friend/enemy signal on thoughts of each body: {fe}; liking (valence of those "
            f"thoughts): {like}{presence}; eye contact {v(a['eye_contact_fraction']):.1%} of steps; "
            f"{v(cs['eye_contact_share']):.0%} of its compassion/spite reward came in eye-contact moments"
        )
    e = social["empathy_correlation"]
    lines.append(
        f"empathy (reading faces): the learned readout of a conspecific's pleasure correlates r = "
        f"{v(e['learned']):.2f} with its true pleasure (shuffled control {v(e['shuffled']):.2f}, oracle "
        f"{v(e['oracle']):.2f})"
        + (f"; of its fear, r = {v(e['fear_learned']):.2f} (shuffled {v(e['fear_shuffled']):.2f}, a perfect reader "
           f"of the afraid face {v(e['fear_face']):.2f})" if "fear_learned" in e else "")
    )
    return lines


def summary(last, baseline, cfg, stat) -> dict:
    """``WorldSpec.summary``: the ``social`` object of summary.json, with the random policy's rates beside the
    learners' and the plain-words lines."""
    social = social_summary(last, cfg, stat)
    random = social_summary(baseline, cfg, stat) if baseline is not None else None
    social["learned"] = describe(social, random)
    social["random_policy"] = random and random["agents"]
    return {"social": social, "lines": social["learned"]}


def behaviour(window, cfg) -> dict:
    """``WorldSpec.behaviour``: the social rates (mean over learners, per seed) and the empathy correlation."""
    out = {name: window.per_seed(f"social/{k}") for k, name in (("give", "give_rate"), ("threaten", "threaten_rate"),
           ("eye_contact", "eye_contact_fraction"), ("oriented", "oriented_fraction"), ("eat", "eat_rate"),
           ("food_in_view", "food_in_view_fraction"))}  # fmt: skip
    out.update({f"{k}_fraction": window.per_seed(f"social/{k}") for k in LEGS_IN_VIEW if f"social/{k}" in window})
    out["empathy_r"] = window.mean("empathy/r/learned")
    for kind in dict.fromkeys(cfg.world.social.characters):  # the scripted characters, each kind once
        for name, key in TOWARD_CHARACTERS:
            if key in window:
                out[f"{name}/{kind}"] = _of_kind(window, cfg, key, kind)
    return out
