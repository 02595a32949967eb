"""Building an ``Agent`` from a run config: the world and its Steering Subsystem from the registry, the Thought
Generator and the assessor heads, and the checks a user's world and drives get before anything compiles (one
clear line naming what is wrong, not a trace from inside a scan). DESIGN.md §10, "Extension without forking".
"""

from __future__ import annotations

import functools
import inspect
import numbers
import re

import jax
import jax.numpy as jnp

import steering as st
from agi.agent import Agent
from agi.config import ConfigError, RunConfig
from agi.metrics import AGENT, Declared, Ratio
from agi.worlds import World
from learning import ThoughtGenerator


def _takes_one(make, where: str, what: str) -> None:
    """``ConfigError`` unless ``make`` can be called with one positional argument (a factory's signature)."""
    try:
        sig = inspect.signature(make, follow_wrapped=False)  # (a decorator may supply arguments of its own)
    except (TypeError, ValueError):  # (a builtin or C callable: nothing to check)
        return
    try:
        sig.bind(None)
    except TypeError:
        raise ConfigError(f"{where}: agi calls make with one argument, {what}; {getattr(make, '__name__', make)}"
                          f"{sig} cannot take it (read the settings from that argument)") from None


def build_steering(cfg: RunConfig, spec=None, drives=()) -> st.SteeringSubsystem:
    """The run's Steering Subsystem: the world's own drives (``WorldSpec.steering``; ``env_reward`` alone for a
    world that declares none), then the registered drives named in ``steering.drives``, then ``drives`` (Drive
    objects), with the configured ablations applied."""
    from agi.registry import drive_spec, world_spec

    spec = world_spec(cfg.world.name) if spec is None else spec
    own, body = spec.own_steering(cfg)
    added = []
    for name in cfg.steering.drives:
        ds = drive_spec(name)
        _takes_one(ds.make, f"register_drive({name!r}, make)", "its config section (an instance of the config= "
                   "dataclass it was registered with, or None without one)")  # fmt: skip
        made = ds.make(cfg.section(name) if ds.config is not None else None)
        if isinstance(made, st.Drive) and made.name != name:  # ablations and variants name drives by Drive.name
            raise ConfigError(f"the drive registered as {name!r} is named {made.name!r}: register it under its own "
                              f"name, or name the Drive {name!r}")  # fmt: skip
        made = [made] if isinstance(made, st.Drive) else list(made)
        foreign = [c for c in ds.body if not any(c in d.provides for d in made)]
        if foreign:
            raise ConfigError(f"register_drive({name!r}, body={ds.body}): {foreign} are not signals this drive "
                              f"provides {[s for d in made for s in d.provides]}")  # fmt: skip
        added += made
        body = (*body, *ds.body)
    try:
        steering = st.make_steering([*own, *added, *drives], body)
        return st.apply_ablations(steering, cfg.steering.ablations)
    except ValueError as e:
        from agi.registry import drive_names

        hint = ""
        unknown = re.match(r"unknown drive '([^']+)'", str(e))
        if unknown and unknown[1] in drive_names():  # registered, but not one this run builds
            hint = f" ({unknown[1]!r} is registered but not in this run: add it with --set steering.drives=...)"
        raise ConfigError(f"steering: {e}{hint}") from None


def head_names(steering: st.SteeringSubsystem) -> tuple[str, ...]:
    """The Thought Assessor heads: ``valence``, then one per signal the drives provide, in their order."""
    signals = []
    for d in steering.drives:
        signals += [s for s in d.provides if s not in signals]
    return ("valence", *signals)


def assessor_metrics(heads) -> Declared:
    """``assessor/mse/NAME``: each short-term predictor's mean squared error where it learns (``Agent.feel``)."""
    return Declared(derived={f"assessor/mse/{n}": Ratio(f"assessor/sq_error/{n}", f"assessor/on/{n}")
                             for n in heads if n != "valence"})  # fmt: skip


def make_agent(cfg: RunConfig, world=None, drives=()) -> Agent:
    """Builds the agent for ``cfg`` (validating it). ``world`` (a ``World``, or a ``WorldSpec``) replaces the
    registered world ``cfg.world.name``; ``drives`` (``steering.Drive`` objects) are added after the world's own
    and those of ``steering.drives``."""
    from agi.registry import WorldSpec, world_spec

    if isinstance(world, World):
        spec = WorldSpec(world.name, lambda _: world)
    elif world is None:
        try:
            spec = world_spec(cfg.world.name)
        except ValueError as e:
            raise ConfigError(f"world.name: {e}") from None
    elif isinstance(world, WorldSpec):
        spec = world
    else:
        raise ConfigError(f"make_agent(world=...) takes an agi.World or a WorldSpec, not {type(world).__name__} "
                          f"{world!r:.60} (a world factory must be called: world=make_my_world(cfg))")  # fmt: skip
    cfg.validate(spec)
    _takes_one(spec.make, f"register_world({spec.name!r}, make)", "the run config (agi.RunConfig; its own section "
               "is cfg.section(name))")  # fmt: skip
    world = spec.make(cfg)
    check_world(world, spec.name if spec.name == cfg.world.name else None)
    if not world.episodic and cfg.agent.gamma >= 1:
        raise ConfigError(f"agent.gamma={cfg.agent.gamma!r} is out of range: expected < 1 in a world without episodes")
    if world.episodic and cfg.agent.reward_center > 0:
        raise ConfigError(f"agent.reward_center={cfg.agent.reward_center!r} is for worlds without episodes: where "
                          f"episodes end, subtracting the average reward changes what is worth doing (where "
                          f"every step pays alike, as in CartPole, surviving would be worth nothing; this world: "
                          f"{world.name!r}); set it to 0")  # fmt: skip
    cfg.knob_keys()  # checked before anything is built
    steering = build_steering(cfg, spec, drives)
    heads = head_names(steering)
    for d in steering.drives:
        for n, h in d.heads.items():
            if n not in d.provides or h.reads not in st.READS:
                raise ConfigError(f"drive {d.name!r} declares a head for {n!r} reading {h.reads!r}; it must be "
                                  f"a signal it provides {list(d.provides)}, reading one of {list(st.READS)}")
    generator = ThoughtGenerator(
        num_actions=world.num_actions,
        extero_dim=world.extero_dim,
        intero_dim=len(steering.body),
        hidden=cfg.agent.hidden,
        latent=cfg.agent.latent,
        dtype=jnp.dtype(cfg.agent.dtype),
        intero_pathway=cfg.agent.intero_pathway,
        intero_latent=cfg.agent.intero_latent,
        value_pathway=cfg.agent.value_pathway,
        layer_norm=cfg.agent.layer_norm,
        sparse_init=cfg.agent.sparse_init,
    )
    agent = Agent(world, steering, generator, heads, cfg, spec.probes, AGENT | assessor_metrics(heads) | spec.metrics,
                  functools.partial(build_steering, spec=spec, drives=drives))  # fmt: skip
    _check_wiring(agent)
    return agent


def check_world(world: World, name: str | None = None) -> None:
    """Raises ``ConfigError`` naming what is wrong with a ``World`` (a user's, typically) before anything is
    compiled: its sizes, and the shapes its ``reset``, ``step`` and ``observe`` return, traced abstractly (the
    views ``[N, extero_dim]``, every sense and ``done`` with the body axis ``[N, ...]``, a state that keeps its
    structure, shapes and dtypes from step to step, as a ``lax.scan`` carry must). ``name``: what to call the
    world in errors (the name it was registered under), by default ``world.name``."""
    if not isinstance(world, World):
        raise ConfigError(f"a world factory must return an agi.World, not {type(world).__name__}")
    name = world.name if name is None else name  # (the name it was registered under, where that differs)
    for k in ("num_agents", "num_actions", "extero_dim"):
        v = getattr(world, k)
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            why = " (worlds with continuous actions are not supported)" if k == "num_actions" else ""
            raise ConfigError(f"world {name!r}: {k}={v!r}: expected an integer >= 1{why}")
    n, x = world.num_agents, world.extero_dim
    shape = lambda t: tuple(t.shape)

    def traced(what, fn, *args):
        try:
            return jax.eval_shape(fn, *args)
        except Exception as e:  # the user's function failed while traced: say which one, keep the cause
            first = str(e).strip().splitlines()[0] if str(e).strip() else ""
            raise ConfigError(f"world {name!r}: {what} failed: {type(e).__name__}: {first}") from e

    def three(what, out):  # reset, step and observe each return a triple
        if not isinstance(out, tuple | list) or len(out) != 3:
            got = f"{len(out)} values" if isinstance(out, tuple | list) else type(out).__name__
            raise ConfigError(f"world {name!r}: {what} returned {got}; expected three")
        return out

    def check_views(what, extero):
        if shape(extero) != (n, x):
            raise ConfigError(f"world {name!r}: {what} returned views of shape {shape(extero)}; expected "
                              f"[num_agents, extero_dim] = {(n, x)}")  # fmt: skip
        if extero.dtype != jnp.float32:  # the agent carries views in float32 from step to step (a scan carry)
            raise ConfigError(f"world {name!r}: {what} returned views of dtype {extero.dtype}; expected float32 "
                              f"(cast them: views.astype(jnp.float32))")  # fmt: skip

    def check_senses(what, senses):
        if not isinstance(senses, dict) or "env_reward" not in senses:
            raise ConfigError(f"world {name!r}: {what} must return senses as a dict holding 'env_reward'")
        for k, v in senses.items():
            if shape(v)[:1] != (n,):
                raise ConfigError(f"world {name!r}: {what} returned the sense {k!r} of shape {shape(v)}; every "
                                  f"sense needs the body axis first: [{n}, ...]")  # fmt: skip

    def check_state(what, before, after):
        # A weakly typed leaf (a Python number in the state) may take another dtype: a scan carry accepts that.
        same_dtype = lambda a, b: a.dtype == b.dtype or a.weak_type or b.weak_type
        same = jax.tree.structure(before) == jax.tree.structure(after) and all(
            shape(a) == shape(b) and same_dtype(a, b)
            for a, b in zip(jax.tree.leaves(before), jax.tree.leaves(after), strict=True))  # fmt: skip
        if not same:
            spell = lambda t: jax.tree.map(lambda a: f"{a.dtype}{list(a.shape)}", t)
            raise ConfigError(f"world {name!r}: {what} returned a state whose structure, shapes or dtypes differ "
                              f"from reset's (a scan carries it: {spell(before)} became {spell(after)})")  # fmt: skip

    key = jax.random.PRNGKey(0)
    state, extero, senses = three("reset(key)", traced("reset(key)", world.reset, key))
    check_views("reset", extero)
    check_senses("reset", senses)
    actions = jnp.zeros((n,), jnp.int32)
    what = "step(key, state, actions [N])"
    stepped, senses, done = three(what, traced(what, world.step, key, state, actions))
    check_senses("step", senses)
    check_state("step", state, stepped)
    if shape(done) != (n,):
        raise ConfigError(f"world {name!r}: step returned done of shape {shape(done)}; expected [{n}]")
    signals = _AnySignal(lambda: jnp.zeros((n,), jnp.float32))  # whatever signal a world reads, [N] zeros
    observe = lambda state, orient: world.observe(state, signals, orient)  # (not a pytree: closed over)
    what = "observe(state, signals, orient [N])"
    observed, extero, _ = three(what, traced(what, observe, stepped, jnp.zeros((n,))))
    check_views("observe", extero)
    check_state("observe", state, observed)


class _AnySignal(dict):
    """Steering's signals as ``check_world`` hands them to ``observe``: ``[key]`` is zeros for any key (a world
    may read the signals its own drives provide), ``.get(key, default)`` the default."""

    def __init__(self, zeros):
        super().__init__()
        self.zeros = zeros

    def __missing__(self, key):
        return self.zeros()


def _check_wiring(agent: Agent) -> None:
    """Traces one system step abstractly, so a drive that reads a signal nobody provides (a user's drive, or an
    ablation that removed the drive providing it) fails here, before any work."""
    from agi.system import make_system

    def one_step(key):
        init, step = make_system(agent._replace(cfg=_one_env(agent.cfg)))
        return step(init(key), key)

    try:
        jax.eval_shape(one_step, jax.random.PRNGKey(0))
    except st.MissingSignal as e:
        raise ConfigError(f"{e} (drives: {list(agent.steering.names)}, steering.ablations="
                          f"{list(agent.cfg.steering.ablations)})") from None  # fmt: skip
    except (st.UndeclaredSignal, st.DriveContractError) as e:
        raise ConfigError(str(e)) from None
    except jax.errors.JAXTypeError as e:
        if not agent.cfg.steering.knobs:
            raise
        raise ConfigError(f"steering.knobs={list(agent.cfg.steering.knobs)}: a drive needs one of these settings as a "
                          f"number when the program is compiled ({type(e).__name__}), so it cannot be a run-time "
                          "knob; set it in the config instead") from None  # fmt: skip
    except KeyError as e:
        raise ConfigError(
            f"a drive reads (or logs) the signal {e}, which no drive or sense provides (drives: "
            f"{list(agent.steering.names)}, steering.ablations={list(agent.cfg.steering.ablations)})"
        ) from None


def _one_env(cfg: RunConfig) -> RunConfig:
    import dataclasses

    return dataclasses.replace(cfg, train=dataclasses.replace(cfg.train, num_envs=1))
