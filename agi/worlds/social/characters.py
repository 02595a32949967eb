"""Scripted characters of the social world, for controlled experiments. Each is a pure policy plus feelings.

- ``stranger``: wanders; neutral expression; unfamiliar at first (DESIGN.md §9 "stranger danger").
- ``friend``: stays near the learners and shares the food it carries with an adjacent learner; grows hungry,
  looks displeased when hungry and pleased when it eats or is given food, the more the hungrier it was (the
  "hungry friend"); it shows the kin cue (an innate friend prior, 001 §5.2).
- ``elder``: mostly stands still and watches the nearest learner (it faces it, so eye contact is common); it
  shows pleasure when a learner it watches gives food away and displeasure when one eats in front of it
  (the norm: share rather than eat in front of an elder; 001 §6, "Approval Reward").
- ``bully``: big; approaches the learners and threatens an adjacent one, taking its food; pleased when it does.

With ``n_toys > 0`` the friend enjoys ``toy_a`` and the bully ``toy_b`` (pleased while within one cell of one, and
drawn toward them now and then): items of no worth to a learner, for the halo experiment (000 §4.5.1).

Every character is displeased (as well as scared) when threatened. With ``harmless`` no character gives or
threatens (the control of the liking experiment: bodies whose presence pays a learner nothing).

Adding a character: add its name to ``KINDS`` and ``SIZES``, a branch to ``act`` and, if it has feelings of its
own, to ``feel``.

References: DESIGN.md §7; issue "Social instincts" (scripted characters).
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

KINDS = ("learner", "stranger", "friend", "elder", "bully")
SIZES = (1.0, 1.0, 1.0, 1.0, 2.0)
LEARNER, STRANGER, FRIEND, ELDER, BULLY = range(len(KINDS))
STAY, EAT, GIVE, THREATEN = 0, 5, 6, 7
HUNGRY_AT = 0.5


def _toward(delta):
    """The move (1 up, 2 down, 3 left, 4 right) that reduces the larger component of ``delta`` (0 if none)."""
    dr, dc = delta[..., 0], delta[..., 1]
    vertical = jnp.abs(dr) >= jnp.abs(dc)
    move = jnp.where(vertical, jnp.where(dr < 0, 1, 2), jnp.where(dc < 0, 3, 4))
    return jnp.where((dr == 0) & (dc == 0), 0, move)


def _nearest_learner(pos, p):
    """``(delta [M, 2] to the nearest learner, manhattan distance [M])`` for every body (itself excluded)."""
    n = p.n_agents
    d = pos[None, :n, :] - pos[:, None, :]  # [M, N, 2]
    dist = jnp.sum(jnp.abs(d), axis=-1)
    dist = jnp.where(jnp.arange(pos.shape[0])[:, None] == jnp.arange(n)[None, :], 10**6, dist)
    j = jnp.argmin(dist, axis=1)
    return d[jnp.arange(pos.shape[0]), j], dist[jnp.arange(pos.shape[0]), j]


def face_nearest_learner(pos, p):
    """Facing (0 up, 1 down, 2 left, 3 right) toward the nearest learner: how the elder watches."""
    delta, _ = _nearest_learner(pos, p)
    return jnp.maximum(_toward(delta) - 1, 0)


def _own_toy(pos, toys, kinds, p):
    """``(delta [M, 2] to the nearest toy a body enjoys, Chebyshev distance [M])`` (far away for bodies that
    enjoy none): the friend enjoys ``toy_a`` (the first ``n_toys`` toys), the bully ``toy_b``."""
    t = p.n_toys
    if t == 0:
        return jnp.zeros_like(pos), jnp.full(pos.shape[:1], 10**6)
    d = toys[None, :, :] - pos[:, None, :]  # [M, 2T, 2]
    cheb = jnp.max(jnp.abs(d), axis=-1)
    enjoys = jnp.where((kinds == FRIEND)[:, None], jnp.arange(2 * t) < t, jnp.arange(2 * t) >= t)
    enjoys &= ((kinds == FRIEND) | (kinds == BULLY))[:, None]
    cheb = jnp.where(enjoys, cheb, 10**6)
    j = jnp.argmin(cheb, axis=1)
    return d[jnp.arange(pos.shape[0]), j], cheb[jnp.arange(pos.shape[0]), j]


def act(key, state, p, kinds):
    """Actions ``[M]`` of every body's script (entries of learners are ignored)."""
    m = kinds.shape[0]
    ku, km = jax.random.split(key)
    u = jax.random.uniform(ku, (m,))
    wander = jax.random.randint(km, (m,), 1, 5)
    delta, dist = _nearest_learner(state.pos, p)
    toward = _toward(delta)
    adjacent = dist <= 1
    carrying = state.carry > 0
    toy_delta, _ = _own_toy(state.pos, state.toys, kinds, p)
    roam = jnp.where((u > 0.85) & (p.n_toys > 0), _toward(toy_delta), wander)  # now and then to a toy it enjoys
    stranger = jnp.where(u < 0.5, wander, STAY)
    friend = jnp.where(
        carrying & adjacent & (u < 0.5), GIVE,
        jnp.where(carrying & (state.hunger > 0.8), EAT, jnp.where(u < p.friend_approach, toward, roam)),
    )  # fmt: skip
    elder = jnp.where(u < 0.1, wander, STAY)
    bully = jnp.where(adjacent & (u < 0.5), THREATEN, jnp.where(u < 0.7, toward, roam))
    actions = jnp.select([kinds == STRANGER, kinds == FRIEND, kinds == ELDER, kinds == BULLY],
                         [stranger, friend, elder, bully], STAY).astype(jnp.int32)  # fmt: skip
    if p.harmless:  # the same bodies, moving as before, that never touch anyone
        actions = jnp.where((actions == GIVE) | (actions == THREATEN), STAY, actions)
    return actions


def feel(state, events, p, kinds):
    """Updates the scripted characters' hunger, pleasure and fear after a step (learners are left alone)."""
    n = p.n_agents
    scripted = kinds != LEARNER
    ate = events["ate"]
    hunger = jnp.clip(state.hunger + p.character_hunger_rate - 0.5 * ate, 0.0, 1.0)
    _, toy_dist = _own_toy(state.pos, state.toys, kinds, p)
    # Food is worth what the eater's hunger makes it (a sated giver loses little, a hungry friend gains much);
    # a threat displeases its victim as well as scaring it (issue 12: payoffs the circuits can act on).
    worth = 2.0 * state.hunger * ate
    joy = 0.8 * state.joy + worth + 0.5 * events["took"] + 0.5 * (toy_dist <= 1) - events["threatened"]
    # The elder watches learners within its view radius; sharing pleases it, eating in front of it does not.
    cheb = jnp.max(jnp.abs(state.pos[:, None, :] - state.pos[None, :n, :]), axis=-1)  # [M, N]
    watched = (cheb <= p.view_radius).astype(jnp.float32)
    approval = watched @ (events["gave"][:n] - events["ate_own"][:n])
    joy = joy + jnp.where(kinds == ELDER, approval, 0.0)
    displeasure = jnp.where(kinds == FRIEND, 2.0 * jax.nn.relu(hunger - HUNGRY_AT), 0.0)
    pleasure = jnp.clip(joy - displeasure, -1.0, 1.0)
    fear = jnp.clip(0.8 * state.fear + events["threatened"] + events["bitten"], 0.0, 1.0)
    keep = lambda new, old: jnp.where(scripted, new, old)
    return state._replace(
        hunger=keep(hunger, state.hunger),
        joy=keep(joy, state.joy),
        pleasure=keep(pleasure, state.pleasure),
        fear=keep(fear, state.fear),
    )
