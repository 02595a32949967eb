"""Worlds and drives are registered, not listed: the one place a world or drive, built-in or a user's, is
declared with everything the commands need (DESIGN.md §10, "Extension without forking").

A user's package registers at import time and is named to the CLI with ``--plugin MODULE`` (or as an entry
point in the group ``agi.plugins``)::

    import agi

    agi.register_world("beacon", make=make_beacon, config=BeaconConfig)
    agi.register_drive("nearness", make=make_nearness, config=NearnessConfig)

after which ``agi train --plugin my_pkg --world beacon --set steering.drives=nearness --set beacon.speed=0.5``
trains it with the CLI's checkpoints, summaries, ablations and eval. A run records its plugins in
``config.json``, so ``--resume`` and ``agi eval`` import them again.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable
from typing import Any

RESERVED = ("world", "steering", "agent", "train", "plugins", "sections")
"""Config section names the run config itself uses."""


class RegistryError(ValueError):
    """A bad registration or plugin (a name registered twice, a module that does not import, ...)."""


@dataclasses.dataclass(frozen=True)
class WorldSpec:
    """Everything one world needs, in one place.

    ``make(cfg) -> World`` builds it from the run config (``agi.worlds.base.World``). A name ending in ``:`` is
    a *family* (``gymnax:``, ``jaxmarl:``): ``--world gymnax:Acrobot-v1`` finds it, and ``check_name(name)``
    raises ``ValueError`` for ids the family does not have.
    """

    name: str
    make: Callable[[Any], Any]
    steering: Callable[[Any], tuple[list, tuple[str, ...]]] | None = None
    """``steering(cfg) -> (drives, body channels)``, the world's own Steering Subsystem before ``steering.drives``
    and the ablations; None: one drive, ``env_reward`` (the world's reward, scaled by ``steering.env_reward.w``)"""
    config: type | None = None
    """a dataclass: the world's config section, named after the world (``--set NAME.field=value``)"""
    preset: Callable[[str, Any], Any] | None = None
    """``preset(preset_name, cfg) -> cfg``: the world's adjustments to a preset (budget, discount, ...)"""
    check: Callable[[Any], None] | None = None
    """``check(cfg)`` raises ``agi.ConfigError`` for settings this world cannot run with"""
    check_name: Callable[[str], None] | None = None
    probes: Callable | None = None
    """``probes(agent, before, thoughts, senses, steering_out) -> {name: array}``: extra per-step metrics
    (inside the compiled step; the arguments carry the ``[E, N]`` axes), each already reduced over the ``E``
    copies: ``[N]`` per body, ``[N, M]`` per pair, ``[]`` (``agi.metrics``). Where the world offers
    ``portraits`` (``agi.worlds.base.World``), also ``imagined=[E, N, M]``: each learner's valence of a
    thought of each body, now (``Agent.imagined_valence``)"""
    metrics: Any = None
    """``agi.metrics.Declared``: how the probes reduce beyond averages (derived ratios and correlations)"""
    summary: Callable | None = None
    """``summary(last, baseline, cfg, stat) -> dict`` merged into summary.json (``last``/``baseline``: the
    last-10% windows of the run and of the random policy, or None); may hold ``"lines"``, printed"""
    behaviour: Callable | None = None
    """``behaviour(window, cfg) -> {name: per-seed array}``: what ``agi ablate`` compares besides reward"""
    draw: Callable | None = None
    """``draw(world_state, cfg, ax)``: one copy of the world (NumPy leaves) into a matplotlib axis"""
    description: str = ""

    def own_steering(self, cfg) -> tuple[list, tuple[str, ...]]:
        """``(drives, body channels)`` of the world's own Steering Subsystem: ``steering(cfg)``, or ``env_reward``
        alone (scaled by ``steering.env_reward.w``) for a world that declares none."""
        if self.steering is not None:
            return self.steering(cfg)
        from steering.drives import make_env_reward

        return [make_env_reward(cfg.steering.env_reward.w)], ()


@dataclasses.dataclass(frozen=True)
class DriveSpec:
    """A drive a run can add by name (``steering.drives``): ``make(section) -> Drive | list[Drive]`` with
    ``section`` its config (an instance of ``config``, or None)."""

    name: str
    make: Callable[[Any], Any]
    config: type | None = None
    description: str = ""
    body: tuple[str, ...] = ()
    """signals of this drive that join the body's interoception (after the world's own body channels): what the
    agent's Thought Generator senses of its own body, masked by Steering's attention like the rest"""


_WORLDS: dict[str, WorldSpec] = {}
_DRIVES: dict[str, DriveSpec] = {}
_PLUGINS: list[str] = []


def _check_new(kind: str, name: str, table: dict, config) -> None:
    if not isinstance(name, str) or not name or any(c in name for c in " ,=/"):
        raise RegistryError(f"a {kind} name is a non-empty string without spaces, commas, '=' or '/', not {name!r}")
    if name in table:
        raise RegistryError(f"a {kind} named {name!r} is already registered")
    if config is not None and not dataclasses.is_dataclass(config):
        raise RegistryError(f"{kind} {name!r}: config must be a dataclass, not {config!r}")
    section = name.rstrip(":")
    if config is not None and (section in RESERVED or section in _sections_in_use()):
        raise RegistryError(f"{kind} {name!r}: its config section {section!r} is already taken")


def _sections_in_use() -> set[str]:
    return {s.name.rstrip(":") for s in (*_WORLDS.values(), *_DRIVES.values()) if s.config is not None}


def _register(kind: str, table: dict, cls, name: str, make: Callable, spec: dict):
    _check_new(kind, name, table, spec.get("config"))
    if not callable(make):  # e.g. a Drive or World made once, where agi needs the factory that makes one per run
        raise RegistryError(f"{kind} {name!r}: make must be a factory (a function of the "
                            f"{'run config' if kind == 'world' else 'config section'}), not a "
                            f"{type(make).__name__}: pass make_x, not make_x(...)")  # fmt: skip
    try:
        table[name] = cls(name, make, **spec)
    except TypeError as e:
        raise RegistryError(f"{kind} {name!r}: {e}") from None
    return table[name]


def register_world(name: str, make: Callable, **spec) -> WorldSpec:
    """Registers a world under ``name`` (see ``WorldSpec`` for the optional parts). Returns its spec."""
    return _register("world", _WORLDS, WorldSpec, name, make, spec)


def register_drive(name: str, make: Callable, **spec) -> DriveSpec:
    """Registers a drive under ``name`` for ``steering.drives`` (see ``DriveSpec``). Returns its spec."""
    body = spec.get("body", ())
    if isinstance(body, str) or not all(isinstance(c, str) for c in body):
        raise RegistryError(f"drive {name!r}: body is a tuple of signal names, e.g. body=('cold',), not {body!r}")
    return _register("drive", _DRIVES, DriveSpec, name, make, {**spec, "body": tuple(body)})


def world_spec(name: str) -> WorldSpec:
    """The spec of world ``name`` (a registered name, or ``FAMILY:ID``); ``ValueError`` naming the choices."""
    _builtins()
    if name in _WORLDS and not name.endswith(":"):
        return _WORLDS[name]
    family, colon, ident = name.partition(":")
    spec = _WORLDS.get(family + ":") if colon and ident else None
    if spec is None:
        raise ValueError(f"unknown world {name!r}; choose from {world_names()}")
    if spec.check_name is not None:
        spec.check_name(name)
    return spec


def drive_spec(name: str) -> DriveSpec:
    """The spec of the registered drive ``name``; ``ValueError`` naming the choices."""
    _builtins()
    if name not in _DRIVES:
        raise ValueError(f"unknown drive {name!r}; registered drives: {sorted(_DRIVES)}")
    return _DRIVES[name]


def world_names() -> list[str]:
    """Registered worlds (families as ``NAME:ID``)."""
    _builtins()
    return [n + "ID" if n.endswith(":") else n for n in _WORLDS]


def drive_names() -> list[str]:
    _builtins()
    return sorted(_DRIVES)


def sections() -> dict[str, type]:
    """Config sections of the registered worlds and drives, by name."""
    _builtins()
    return {s.name.rstrip(":"): s.config for s in (*_WORLDS.values(), *_DRIVES.values()) if s.config is not None}


def load_plugins(modules=(), entry_points: bool = True) -> list[str]:
    """Imports each module in ``modules`` (and, with ``entry_points``, every entry point of the group
    ``agi.plugins``), which registers its worlds and drives. A module is imported once. Returns the modules
    imported so far. ``RegistryError`` with one line when one does not import."""
    _builtins()
    names = list(modules)
    if entry_points:
        from importlib.metadata import entry_points as eps

        names = [ep.value for ep in eps(group="agi.plugins")] + names
    for m in names:
        if m in _PLUGINS:
            continue
        try:
            importlib.import_module(m)
        except RegistryError:
            raise
        except Exception as e:  # noqa: BLE001 - any failure of user code is reported as one line
            hint = ""
            if m.endswith(".py") or "/" in m:  # a file path where a module name is wanted
                hint = (" (--plugin takes a module name, e.g. --plugin my_plugin, with its folder on PYTHONPATH or "
                        "the package installed; not a file path)")  # fmt: skip
            raise RegistryError(f"plugin {m!r} does not import: {type(e).__name__}: {e}{hint}") from None
        _PLUGINS.append(m)
    return list(_PLUGINS)


_LOADED = False


def _builtins() -> None:
    """Registers the built-in worlds on first use (importing ``agi`` must not start XLA)."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        import agi.worlds.builtin  # noqa: F401
