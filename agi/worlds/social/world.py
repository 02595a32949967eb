"""``social``: the foraging grid plus conspecifics, with expressions drawn on every agent's cell.

Bodies ``0..N-1`` are learning agents (each with its own brain); bodies ``N..M-1`` are scripted characters
(``agi.worlds.characters``). Actions: ``stay, up, down, left, right, eat, give, threaten``. Moving sets the
body's facing; bodies never share a cell (a move onto an occupied cell is blocked). Stepping onto food picks
it up (one item carried at most; food reappears elsewhere); ``eat`` eats the carried item; ``give`` hands it
to an adjacent body (Manhattan distance <= 1), which eats it at once; ``threaten`` scares an adjacent body and,
if the threatener is at least as big, takes the food it carries.

Every body's *expression* is drawn on its cell in every view, its own included (the "mirror" that lets a
world model tie expressions to feelings): pleased / displeased (pleasure above / below ±0.2), afraid (fear
above 0.3), facing, size, carrying, and an identity code. Eye contact = two bodies in one row or column
within the view radius, each facing the other.

The step is split so that the Steering Subsystem runs between the move and the next view:
``step(key, state, actions) -> (state, senses)`` moves everything and reports events, then the agents'
Steering computes their feelings, and ``render(state, pleasure, fear, orient) -> (state, views, oriented)``
writes the learners' expressions and draws each learner's next view. ``orient[n] = 1`` (the social attention
reflex, 001 §3.1 orienting) centres learner n's view on the conspecific it attends to, so its next thought
is "about" that conspecific (001 §4); the conspecific's true feelings at that moment are kept as the oracle.

References: DESIGN.md §7 (social world); 001 §1.1 (conspecific and eye-contact heuristics), §4, §6.1.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp

from agi.worlds.base import World
from agi.worlds.foraging.world import MOVES, wander
from agi.worlds.social import characters as chars

CHANNELS = ("wall", "food", "legs", "dark", "body", "pleased", "displeased", "afraid", "face_up", "face_down",
            "face_left", "face_right", "big", "carrying", "ident", "kin", "toy_a", "toy_b")  # fmt: skip
ACTIONS = ("stay", "up", "down", "left", "right", "eat", "give", "threaten")
STAY, UP, DOWN, LEFT, RIGHT, EAT, GIVE, THREATEN = range(len(ACTIONS))
PLEASED_AT, AFRAID_AT = 0.2, 0.3
EVENTS = ("ate", "ate_own", "received", "gave", "threatened", "did_threaten", "took")
ORACLE_EVENTS = ("oracle/gave_to", "oracle/threatened_whom", "oracle/received_from", "oracle/threatened_by")


class SocialParams(NamedTuple):
    size: int = 7
    view_radius: int = 2
    n_food: int = 3
    n_spiders: int = 1
    n_decoys: int = 1
    critter_move_prob: float = 0.3
    n_agents: int = 2
    characters: tuple[str, ...] = ()
    n_toys: int = 0  # of each kind: toy_a (the friend enjoys it) and toy_b (the bully does); neutral to learners
    give_from_step: int = 0  # ``give`` does nothing before this step (an action that becomes available mid-run)
    character_hunger_rate: float = 0.02  # scripted characters' hunger increase per step
    friend_approach: float = 0.6  # per-step probability that the friend steps toward the nearest learner
    harmless: bool = False  # scripted characters never give or threaten
    liking_probe: bool = False  # offer ``portraits`` and ``absences`` (the liking probes: encodings per body)

    @property
    def kinds(self) -> tuple[int, ...]:
        return (0,) * self.n_agents + tuple(chars.KINDS.index(c) for c in self.characters)

    @property
    def num_bodies(self) -> int:
        return self.n_agents + len(self.characters)


class SocialState(NamedTuple):
    pos: jax.Array  # [M, 2] int32
    facing: jax.Array  # [M] int32: 0 up, 1 down, 2 left, 3 right
    carry: jax.Array  # [M] float32, 0 or 1
    pleasure: jax.Array  # [M] in [-1, 1]: learners' from their Steering, characters' scripted
    fear: jax.Array  # [M] in [0, 1]
    hunger: jax.Array  # [M] scripted characters' hunger (unused for learners)
    joy: jax.Array  # [M] scripted characters' transient pleasure
    food: jax.Array  # [F, 2]
    spiders: jax.Array  # [S, 2]
    decoys: jax.Array  # [D, 2]
    looked_at: jax.Array  # [N] int32: the body learner n's current view is centred on (-1: itself)
    looked_pleasure: jax.Array  # [N] that body's true pleasure when the view was drawn (the oracle)
    looked_fear: jax.Array  # [N]
    looked_eye: jax.Array  # [N] 1 if the looked-at body and the learner had eye contact when the view was drawn
    looked_size: jax.Array  # [N] the looked-at body's size (0 when none)
    looked_kin: jax.Array  # [N] 1 if the looked-at body shows the kin cue
    toys: jax.Array  # [2T, 2] toy_a cells, then toy_b cells (static)
    t: jax.Array  # [] int32 steps since reset


def _cells(key, n, size):
    return jax.random.randint(key, (n, 2), 0, size)


def sizes(params: SocialParams) -> jax.Array:
    """``[M]`` body sizes (the bully is big)."""
    return jnp.asarray([chars.SIZES[k] for k in params.kinds], jnp.float32)


def kin(params: SocialParams) -> jax.Array:
    """``[M]`` 1 for a body that shows the kin cue (the scripted friend): what the innate kin detector sees."""
    return jnp.asarray([float(k == chars.FRIEND) for k in params.kinds], jnp.float32)


def faces(pos, facing, radius):
    """``[M, M]``: body a faces body b (b in a's facing direction, same row/column, within ``radius``)."""
    d = pos[None, :, :] - pos[:, None, :]  # d[a, b] = pos_b - pos_a
    dr, dc = d[..., 0], d[..., 1]
    f = facing[:, None]
    toward = ((f == 0) & (dr < 0) & (dc == 0)) | ((f == 1) & (dr > 0) & (dc == 0))
    toward |= ((f == 2) & (dc < 0) & (dr == 0)) | ((f == 3) & (dc > 0) & (dr == 0))
    return toward & (jnp.maximum(jnp.abs(dr), jnp.abs(dc)) <= radius)


def attention(state: SocialState, params: SocialParams):
    """For each learner: ``(attended [N] int, has [N] bool, eye [N] bool, cheb [N] int)``.

    The innate conspecific detector attends to the nearest other body in view (Chebyshev distance <= view
    radius), preferring one it has eye contact with.
    """
    n, r = params.n_agents, params.view_radius
    m = params.num_bodies
    cheb = jnp.max(jnp.abs(state.pos[:n, None, :] - state.pos[None, :, :]), axis=-1)  # [N, M]
    in_view = (cheb <= r) & (jnp.arange(m)[None, :] != jnp.arange(n)[:, None])
    f = faces(state.pos, state.facing, r)
    eye = (f & f.T)[:n]  # [N, M]
    score = jnp.where(in_view, cheb - 2.0 * eye + 1e-3 * jnp.arange(m)[None, :], jnp.inf)
    attended = jnp.argmin(score, axis=-1)
    has = jnp.any(in_view, axis=-1)
    take = lambda x: jnp.take_along_axis(x, attended[:, None], axis=-1)[:, 0]
    return attended, has, take(eye) & has, take(cheb)


class Social:
    """The social world (pure functions of an explicit state; ``params`` is static)."""

    num_actions = len(ACTIONS)

    def __init__(self, params: SocialParams):
        self.params = params

    @property
    def view_shape(self):
        v = 2 * self.params.view_radius + 1
        return (v, v, len(CHANNELS))

    def reset(self, key):
        """``(state, views [N, X], senses)``: random positions, no food carried, neutral feelings."""
        p = self.params
        m, n = p.num_bodies, p.n_agents
        kp, kf, ks, kd, kh, kt = jax.random.split(key, 6)
        z = jnp.zeros((m,), jnp.float32)
        cells = jax.random.choice(kp, p.size * p.size, (m,), replace=False)  # bodies start on distinct cells
        pos = jnp.stack([cells // p.size, cells % p.size], axis=-1).astype(jnp.int32)
        state = SocialState(
            pos=pos, facing=jax.random.randint(kh, (m,), 0, 4), carry=z, pleasure=z, fear=z,
            hunger=jnp.full((m,), 0.5, jnp.float32), joy=z, food=_cells(kf, p.n_food, p.size),
            spiders=_cells(ks, p.n_spiders, p.size), decoys=_cells(kd, p.n_decoys, p.size),
            looked_at=jnp.full((n,), -1, jnp.int32), looked_pleasure=jnp.zeros((n,)), looked_fear=jnp.zeros((n,)),
            looked_eye=jnp.zeros((n,)), looked_size=jnp.zeros((n,)), looked_kin=jnp.zeros((n,)),
            toys=_cells(kt, 2 * p.n_toys, p.size), t=jnp.zeros((), jnp.int32),
        )  # fmt: skip
        events = {k: jnp.zeros((m,), jnp.float32) for k in EVENTS}
        events.update({k: jnp.zeros((m, m)) for k in ORACLE_EVENTS})
        senses = self._senses(state, events, jnp.zeros((n,), jnp.float32))
        state, views, _ = self.render(state, jnp.zeros((n,)), jnp.zeros((n,)), jnp.zeros((n,)))
        return state, views, senses

    def step(self, key, state: SocialState, actions):
        """Moves every body (learners by ``actions [N]``, characters by script); returns ``(state, senses)``."""
        p = self.params
        m, n = p.num_bodies, p.n_agents
        kc, kf, ks, kd = jax.random.split(key, 4)
        kinds = jnp.asarray(p.kinds)
        size = sizes(p)
        act = jnp.concatenate([actions.astype(jnp.int32), chars.act(kc, state, p, kinds)[n:]])

        moving = (act >= UP) & (act <= RIGHT)
        step = jnp.asarray(MOVES)[jnp.where(moving, act, STAY)]
        pos = _move(state.pos, jnp.clip(state.pos + step, 0, p.size - 1))
        facing = jnp.where(moving, act - 1, state.facing)
        facing = jnp.where(kinds == chars.KINDS.index("elder"), chars.face_nearest_learner(pos, p), facing)
        carry = state.carry
        # Pick up: each food item goes to the first empty-handed body standing on it.
        on = jnp.all(state.food[:, None, :] == pos[None, :, :], axis=-1) & (carry[None, :] == 0)  # [F, M]
        picked = jnp.any(on, axis=1)
        picker = jnp.argmax(on, axis=1)
        carry = jnp.maximum(carry, jnp.zeros((m,)).at[picker].max(picked.astype(jnp.float32)))
        food = jnp.where(picked[:, None], _cells(kf, p.n_food, p.size), state.food)
        # Eat the carried item.
        ate_own = (act == EAT) & (carry > 0)
        carry = jnp.where(ate_own, 0.0, carry)
        # Give / threaten the first adjacent body.
        reach = _give_target(pos)
        target, has_target = jnp.argmax(reach, axis=1), jnp.any(reach > 0, axis=1)
        gave = (act == GIVE) & (carry > 0) & has_target & (state.t >= p.give_from_step)
        received = jnp.zeros((m,)).at[target].max(gave.astype(jnp.float32))
        carry = jnp.where(gave, 0.0, carry)
        threat = (act == THREATEN) & has_target
        threatened = jnp.zeros((m,)).at[target].max(threat.astype(jnp.float32))
        take = threat & (carry[target] > 0) & (size >= size[target]) & (carry == 0)
        # One item has one taker: when several threaten the same carrier, the first of them takes it.
        claims = take[:, None] & (target[:, None] == jnp.arange(m)[None, :])  # [taker, carrier]
        take = take & (jnp.argmax(claims, axis=0)[target] == jnp.arange(m))
        lost = jnp.zeros((m,)).at[target].max(take.astype(jnp.float32))
        carry = jnp.where(take, 1.0, jnp.where(lost > 0, 0.0, carry))

        spiders = wander(ks, state.spiders, p)
        decoys = wander(kd, state.decoys, p)
        bitten = jnp.any(jnp.all(spiders[:, None, :] == pos[None, :, :], axis=-1), axis=0).astype(jnp.float32)
        events = {
            "ate": jnp.maximum(ate_own.astype(jnp.float32), received),
            "ate_own": ate_own.astype(jnp.float32),
            "received": received,
            "gave": gave.astype(jnp.float32),
            "threatened": threatened,
            "did_threaten": threat.astype(jnp.float32),
            "took": take.astype(jnp.float32),
            "bitten": bitten,
            # who received / was threatened ([M, M] rows: the actor), for measurement only (Steering never reads it)
            "oracle/gave_to": jax.nn.one_hot(target, m) * gave[:, None],
            "oracle/threatened_whom": jax.nn.one_hot(target, m) * threat[:, None],
        }
        # ... and the same seen from the receiving end (rows: the receiver, columns: who gave / threatened it)
        events["oracle/received_from"] = events["oracle/gave_to"].T
        events["oracle/threatened_by"] = events["oracle/threatened_whom"].T
        state = state._replace(pos=pos, facing=facing, carry=carry, food=food, spiders=spiders, decoys=decoys,
                               t=state.t + 1)  # fmt: skip
        state = chars.feel(state, events, p, kinds)
        return state, self._senses(state, events, bitten[:n])

    def _senses(self, state, events, bitten):
        """Per learner: raw events, the own-centred view, and the innate conspecific detector's inputs."""
        p = self.params
        n, m = p.n_agents, p.num_bodies
        attended, has, eye, cheb = attention(state, p)
        grid = _grid(state, p)
        view = jax.vmap(lambda c: _grid_slice(grid, c, p))(state.pos[:n])
        hasf = has.astype(jnp.float32)
        return {
            "env_reward": jnp.zeros((n,)),
            "view": view,
            **{k: v[:n] for k, v in events.items() if k != "bitten"},
            "bitten": bitten,
            # Who is who, for measurement only: keys under "oracle/" never reach the Steering Subsystem, which
            # cannot tell who someone is (001 §0.1, §5); it sees cues (size, kin, eye contact, expressions).
            "oracle/attended": jax.nn.one_hot(attended, m) * hasf[:, None],  # [N, M]
            "conspecific_in_view": hasf,
            "conspecific_kin": kin(p)[attended] * hasf,
            "eye_contact": eye.astype(jnp.float32),
            "conspecific_size": sizes(p)[attended] * hasf,
            "conspecific_close": ((cheb <= 1) & has).astype(jnp.float32),
            # Touching or being touched by a conspecific this step (a gift, a threat, a theft): one of the innate
            # conspecific heuristics that trigger the social attention reflex (001 §1.1).
            "conspecific_touch": _touch(events)[:n],
            "watched": _watched_by_elder(state, p),
            # The oracle: true feelings of the body the current view is centred on (0 when it is one's own).
            "looked_pleasure": state.looked_pleasure,
            "looked_fear": state.looked_fear,
            # Who the current thought is about (the body the view was centred on), for measurement only.
            "oracle/looked": jax.nn.one_hot(state.looked_at, m) * (state.looked_at >= 0)[:, None],
            # Cues of the body the current thought is about, as the social drives need them.
            "looked_eye_contact": state.looked_eye,
            "looked_size": state.looked_size,
            "looked_kin": state.looked_kin,
            # What a ``give`` now would reach, for measurement only: whether the learner carries food, and the
            # body it would hand it to (the first adjacent one; all 0 when none is adjacent).
            "oracle/carrying": state.carry[:n],
            "oracle/give_target": _give_target(state.pos)[:n],
        }

    def render(self, state: SocialState, pleasure, fear, orient):
        """Writes the learners' feelings, draws each learner's next view; ``(state, views [N, X], oriented [N])``."""
        p = self.params
        n = p.n_agents
        state = state._replace(pleasure=state.pleasure.at[:n].set(pleasure), fear=state.fear.at[:n].set(fear))
        attended, has, eye, _ = attention(state, p)
        oriented = (orient > 0) & has
        looked = jnp.where(oriented, attended, -1)
        centre = jnp.where(oriented[:, None], state.pos[attended], state.pos[:n])
        grid = _grid(state, p)
        views = _views(grid, centre, p)
        state = state._replace(
            looked_at=looked.astype(jnp.int32),
            looked_pleasure=jnp.where(oriented, state.pleasure[attended], 0.0),
            looked_fear=jnp.where(oriented, state.fear[attended], 0.0),
            looked_eye=(oriented & eye).astype(jnp.float32),
            looked_size=jnp.where(oriented, sizes(p)[attended], 0.0),
            looked_kin=jnp.where(oriented, kin(p)[attended], 0.0),
        )
        return state, views, oriented.astype(jnp.float32)

    def as_world(self) -> World:
        """This world behind the one world interface (``agi.worlds.base``): Steering's ``pleasure`` and ``fear``
        are drawn as the learners' expressions; no episodes."""
        n = self.params.n_agents
        zero = jnp.zeros((n,), jnp.float32)

        def step(key, state, actions):
            state, senses = self.step(key, state, actions)
            return state, senses, jnp.zeros((n,), bool)

        def observe(state, signals, orient):
            return self.render(state, signals.get("pleasure", zero), signals.get("fear", zero), orient)

        size = 1
        for d in self.view_shape:
            size *= d
        probe = self.params.liking_probe
        return World("social", n, self.num_actions, size, False, self.reset, step, observe, self.view_shape,
                     self.params, self.portraits if probe else None, self.absences if probe else None)  # fmt: skip

    def portraits(self, state: SocialState):
        """``[M, X]``: the view centred on each body, as the reflex would draw it were it oriented on that one."""
        grid = _grid(state, self.params)
        return _views(grid, state.pos, self.params)

    def absences(self, state: SocialState):
        """``[N, M, X]``: each learner's own view with body ``j`` not drawn (its cell as if empty)."""
        p = self.params
        m, n = p.num_bodies, p.n_agents

        def without(j):
            grid = _grid(state, p, present=jnp.arange(m) != j)
            return _views(grid, state.pos[:n], p)

        return jnp.swapaxes(jax.vmap(without)(jnp.arange(m)), 0, 1)


def _move(pos, proposed):
    """Bodies do not share cells: a move onto a cell that another body occupies or also moves onto is blocked
    (so every face is drawn on a cell of its own)."""
    m = pos.shape[0]
    other = ~jnp.eye(m, dtype=bool)
    same = lambda a, b: jnp.all(a[:, None, :] == b[None, :, :], axis=-1)
    blocked = jnp.any(same(proposed, pos) & other, axis=1) | jnp.any(same(proposed, proposed) & other, axis=1)
    return jnp.where(blocked[:, None], pos, proposed)


def _give_target(pos):
    """``[M, M]``: row a is the one-hot of the body a ``give`` or ``threaten`` by a would reach (the first body
    at Manhattan distance 1), or all 0 when none is adjacent; the rule ``Social.step`` applies."""
    m = pos.shape[0]
    adj = (jnp.sum(jnp.abs(pos[:, None, :] - pos[None, :, :]), axis=-1) <= 1) & ~jnp.eye(m, dtype=bool)
    return jax.nn.one_hot(jnp.argmax(adj, axis=1), m) * jnp.any(adj, axis=1)[:, None]


def _touch(events):
    """``[M]``: the body touched another or was touched this step (gave, received, threatened or was threatened,
    took)."""
    keys = ("gave", "received", "did_threaten", "threatened", "took")
    return jnp.max(jnp.stack([events[k] for k in keys]), axis=0)


def _watched_by_elder(state, p: SocialParams):
    """``[N]``: an elder is within its view radius of the learner (it always faces the nearest learner)."""
    n = p.n_agents
    elder = jnp.asarray(p.kinds) == chars.ELDER
    cheb = jnp.max(jnp.abs(state.pos[:, None, :] - state.pos[None, :n, :]), axis=-1)  # [M, N]
    return jnp.any(elder[:, None] & (cheb <= p.view_radius), axis=0).astype(jnp.float32)


def _grid(state: SocialState, p: SocialParams, present=None):
    """The padded world grid ``[S + 2r, S + 2r, C]`` with every body and its expression drawn (only those
    ``present [M]`` marks, when given)."""
    r, s = p.view_radius, p.size
    m = p.num_bodies
    g = jnp.zeros((s + 2 * r, s + 2 * r, len(CHANNELS)), jnp.float32)
    g = g.at[:, :, 0].set(1.0).at[r : r + s, r : r + s, 0].set(0.0)
    put = lambda g, pos, ch, v=1.0: g.at[pos[:, 0] + r, pos[:, 1] + r, ch].max(v)
    g = put(g, state.food, 1)
    g = put(put(g, state.spiders, 2), state.spiders, 3)
    g = put(g, state.decoys, 2)
    t = p.n_toys
    g = put(put(g, state.toys[:t], CHANNELS.index("toy_a")), state.toys[t:], CHANNELS.index("toy_b"))
    feats = jnp.stack(
        [
            jnp.ones((m,)),
            (state.pleasure > PLEASED_AT).astype(jnp.float32),
            (state.pleasure < -PLEASED_AT).astype(jnp.float32),
            (state.fear > AFRAID_AT).astype(jnp.float32),
            *(state.facing == d for d in range(4)),
            (sizes(p) > 1).astype(jnp.float32),
            state.carry,
            (jnp.arange(m) + 1.0) / m,
            kin(p),
        ],
        axis=-1,
    ).astype(jnp.float32)  # [M, 12] for channels body..kin
    if present is not None:
        feats = feats * present[:, None]
    body = CHANNELS.index("body")
    return g.at[state.pos[:, 0] + r, state.pos[:, 1] + r, body : body + feats.shape[-1]].max(feats)


def _views(grid, centres, p: SocialParams):
    """``[K, X]``: the flattened views centred on each of ``centres [K, 2]``."""
    return jax.vmap(lambda c: _grid_slice(grid, c, p))(centres).reshape(centres.shape[0], -1)


def _grid_slice(grid, centre, p: SocialParams):
    v = 2 * p.view_radius + 1
    return jax.lax.dynamic_slice(grid, (centre[0], centre[1], 0), (v, v, grid.shape[-1]))
