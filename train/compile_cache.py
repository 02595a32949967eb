"""XLA's compiled programs kept on disk, so that an identical program loads in seconds instead of compiling.

A social run's chunk takes 15-30 s to compile on a CPU. The same program is compiled again by a resumed run, a
repeated experiment, a sweep whose variants differ only in run-time knobs, and every test that builds the same
small config. JAX's persistent compilation cache keys each executable on the program's HLO, the backend, the
compiler flags and the JAX version, so a hit is the executable a fresh compile would have produced (measured on
this 2-core CPU: a social chunk's compile 28.2 s, then 3.8 s from the cache in the same process and 4.0 s in a new
one).

``resolve(env)`` picks the folder: ``JAX_COMPILATION_CACHE_DIR`` (JAX's own setting) wins and is left to JAX;
else ``AGI_COMPILE_CACHE`` (a folder, or ``0`` / ``off`` to switch the cache off); else
``$XDG_CACHE_HOME/agi/xla`` (``~/.cache/agi/xla``). The ``agi`` command enables it; a library user calls
``enable(path)`` (once per process, before the first compile that should be stored: JAX fixes the folder when
it first uses it) or sets ``JAX_COMPILATION_CACHE_DIR``. Programs that compile in under a second are not stored
(JAX's default threshold). Nothing bounds the folder's size: delete it to reclaim its space. An entry whose
write was cut short (the process killed mid-write) is never rewritten: JAX warns and compiles that program each
time, until the folder is deleted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import jax

OFF = ("0", "off", "false", "no", "")


def resolve(env: Mapping[str, str] = os.environ) -> Path | None:
    """The cache folder the environment asks for, or None (off, or JAX's own ``JAX_COMPILATION_CACHE_DIR``,
    which JAX reads itself)."""
    if env.get("JAX_COMPILATION_CACHE_DIR"):
        return None
    if "AGI_COMPILE_CACHE" in env:
        value = env["AGI_COMPILE_CACHE"].strip()
        return None if value.lower() in OFF else Path(value).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agi" / "xla"


def enable(path: str | os.PathLike) -> Path:
    """Keeps every compiled program of this process that took at least a second in ``path`` (created if
    missing) and loads it from there when the same program is compiled again. Returns the folder. Call it once,
    before the first compile: a later call with another folder is ignored by JAX."""
    path = Path(path).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(path))
    return path
