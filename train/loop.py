"""The generic jitted training loop: ``lax.scan`` over steps, ``vmap`` over seeds, run in chunks from Python.

``train/`` knows nothing of the agent: it takes ``init(key) -> state`` and ``step(state, key) -> (state,
metrics)`` for one seed (metrics a flat dict of arrays, any shape) and compiles one chunk of ``chunk_len`` steps for all
seeds at once. The Python loop between chunks shows a progress bar and hands each chunk's metrics
(``[seeds, chunk_len, *shape]`` NumPy arrays) to a callback; nothing runs in Python per step. The carried state is
donated to each chunk call, so it is updated in place. Given a ``sharding`` (``train.sharding``), the state
lives split over several devices and each chunk is compiled for that layout.

References: DESIGN.md §8; purejaxrl's ``make_train`` (the whole run as one compiled function).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from tqdm.auto import tqdm

from train.sharding import mesh_of, put, replicated, with_shardings


class RunResult(NamedTuple):
    state: Any
    compile_seconds: float
    run_seconds: float
    steps: int
    start_step: int = 0  # > 0 for a resumed run


def step_keys(run_key, start, length: int):
    """The PRNG keys of steps ``start .. start + length - 1``: ``fold_in(run_key, t)`` for global step t.

    A step's key depends only on the seed's run key and the step's number, never on how the run is cut into
    chunks or how long it is, so chunking, checkpointing and extending a run leave its results unchanged.
    """
    return jax.vmap(lambda t: jax.random.fold_in(run_key, t))(start + jnp.arange(length, dtype=jnp.uint32))


def seed_keys(key, seed_numbers):
    """``(init_keys, run_keys)`` of the given seed numbers: seed s is ``fold_in(key, s)`` whatever the number of
    seeds, so seed 0 of a 4-seed run is seed 0 of an 8-seed run."""
    keys = jax.vmap(lambda s: jax.random.split(jax.random.fold_in(key, s)))(jnp.asarray(seed_numbers, jnp.uint32))
    return keys[:, 0], keys[:, 1]


def make_chunk(step: Callable, chunk_len: int, shardings=None):
    """``chunk(states, run_keys, start) -> (states, metrics)``: steps ``start .. start + chunk_len - 1`` for every
    seed (jitted, donated; ``start`` is traced, so every chunk reuses one compiled program).

    ``shardings`` (a tree of ``NamedSharding`` matching the states) fixes the states' layout on the way in and
    out; the keys and the metrics are then replicated on the same mesh.
    """

    def one_seed(state, run_key, start):
        return jax.lax.scan(step, state, step_keys(run_key, start, chunk_len))

    chunk = jax.vmap(one_seed, in_axes=(0, 0, None))
    if shardings is None:
        return jax.jit(chunk, donate_argnums=0)
    rep = replicated(mesh_of(shardings))
    return jax.jit(chunk, donate_argnums=0, in_shardings=(shardings, rep, rep), out_shardings=(shardings, rep))


def make_train(init: Callable, step: Callable, num_steps: int, chunk_len: int):
    """``train(key) -> (state, metrics)``: the whole run as one compiled program for one seed, with the keys a
    chunked ``run`` gives seed 0 of ``key``."""
    if num_steps % chunk_len:
        raise ValueError(f"num_steps={num_steps} is not a multiple of chunk_len={chunk_len}")

    def train(key):
        k_init, k_run = jax.random.split(jax.random.fold_in(key, 0))
        return jax.lax.scan(step, init(k_init), step_keys(k_run, 0, num_steps))

    return train


class Program(NamedTuple):
    """What a run compiles and starts from: every slot's init, keys and state layout."""

    init_all: Callable  # jitted: init keys -> the stacked initial states
    init_keys: Any  # [slots, 2]
    run_keys: Any  # [slots, 2]
    abstract: Any  # the stacked state's shapes and dtypes
    shardings: Any  # a tree of NamedSharding, or None on one device


def program(init: Callable, key, *, num_seeds: int, seed_index=None, init_args=None, sharding=None) -> Program:
    """The slots of a run (``run``'s ``num_seeds``, ``seed_index``, ``init_args`` and ``sharding``), with
    nothing initialised or compiled yet."""
    index = np.arange(num_seeds) if seed_index is None else np.asarray(seed_index)
    if index.shape != (num_seeds,) or index.min() < 0:
        raise ValueError(f"seed_index must hold {num_seeds} non-negative seed numbers, got {index}")
    # lax.map, not vmap: a batched QR (flax's orthogonal initialiser) deadlocks jaxlib's CPU thread pool on
    # small machines, and initialisation is cheap.
    if init_args is None:
        init_all = jax.jit(lambda keys: jax.lax.map(init, keys))
    else:
        init_all = jax.jit(lambda keys: jax.lax.map(lambda ka: init(*ka), (keys, init_args)))
    init_keys, run_keys = seed_keys(key, index)
    abstract = jax.eval_shape(init_all, init_keys)
    shardings = sharding(abstract) if sharding is not None else None
    if shardings is not None:
        run_keys = put(run_keys, replicated(mesh_of(shardings)))
    return Program(init_all, init_keys, run_keys, abstract, shardings)


def compile_chunk(step: Callable, chunk_len: int, prog: Program):
    """The compiled ``make_chunk`` of ``prog``'s state layout (lowered on its shapes: nothing is initialised)."""
    return (
        make_chunk(step, chunk_len, prog.shardings)
        .lower(with_shardings(prog.abstract, prog.shardings), prog.run_keys, np.uint32(0))
        .compile()
    )


def in_background(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Starts ``fn()`` in a daemon thread and returns ``wait()``, which blocks until it is done and returns its
    result (or raises what it raised, in the caller's thread)."""
    box = {}

    def work():
        try:
            box["result"] = fn()
        except BaseException as e:  # handed to wait()
            box["error"] = e

    thread = threading.Thread(target=work, name="in-background", daemon=True)
    thread.start()

    def wait():
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["result"]

    return wait


def compile_ahead(step: Callable, chunk_len: int, prog: Program) -> Callable[[], Any]:
    """Starts compiling ``prog``'s chunk in a background thread; returns ``wait()`` for ``run(..., compiled=)``.
    XLA compiles on the host, so a program can compile while another one runs: beside an accelerator the host's
    cores are otherwise idle (not measured here); on a CPU the compiler shares the run's cores."""
    return in_background(lambda: compile_chunk(step, chunk_len, prog))


def run(
    init: Callable,
    step: Callable,
    key,
    *,
    num_seeds: int,
    num_steps: int,
    chunk_len: int,
    on_chunk: Callable[[int, dict], None] | None = None,
    on_chunk_end: Callable[[int, Any, float], None] | None = None,
    resume: Callable[[Any], tuple[int, Any]] | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress: bool = True,
    desc: str = "train",
    agent_steps_per_step: int = 1,
    sharding: Callable[[Any], Any] | None = None,
    seed_index=None,
    init_args=None,
    compiled: Callable[[], Any] | None = None,
) -> RunResult:
    """Runs ``num_steps`` steps for ``num_seeds`` seeds in chunks; returns the final state and timings.

    ``on_chunk(end_step, metrics)`` receives each chunk's metrics as ``{name: np.ndarray [seeds, chunk_len, *shape]}``;
    ``on_chunk_end(end_step, state, run_seconds)`` then sees the state (to checkpoint it) and the seconds spent
    in chunks so far. ``should_stop()`` is asked after
    each chunk (e.g. set by a signal handler) and ends the run early, ``RunResult.steps`` saying how far it got.
    ``resume(abstract_state) -> (start_step, state)`` continues a run: step t of seed s uses the key
    ``fold_in(run_key(s), t)`` (``seed_keys``, ``step_keys``), so a resumed, re-chunked or extended run uses the
    same keys as one never interrupted; the abstract state it receives carries
    the shardings the state will have, so a restore can place it directly. ``sharding(abstract_state) -> tree of
    NamedSharding`` spreads the state over devices (``train.sharding``); None keeps it on one device.
    ``seed_index [num_seeds]`` makes batch slot i use the PRNG keys of seed ``seed_index[i]`` (so several
    variants of a config can run on the same seeds in one program), and ``init_args`` (a pytree with a leading
    ``num_seeds`` axis) is passed to ``init(key, args)`` slot by slot. Compilation happens once (ahead of time)
    and is timed apart; ``compiled`` (``compile_ahead``'s ``wait``, for the same program) hands over a chunk
    compiled elsewhere, and the run then counts only the time it waited for it.
    """
    if num_steps % chunk_len:
        raise ValueError(f"num_steps={num_steps} is not a multiple of chunk_len={chunk_len}")
    prog = program(init, key, num_seeds=num_seeds, seed_index=seed_index, init_args=init_args, sharding=sharding)
    shardings, run_keys = prog.shardings, prog.run_keys
    start = 0
    if resume is not None:
        start, state = resume(with_shardings(prog.abstract, shardings))
        if start % chunk_len or not 0 <= start <= num_steps:
            raise ValueError(f"cannot resume at step {start}: not a chunk boundary of a {num_steps}-step run")
    else:
        state = prog.init_all(prog.init_keys)
    if shardings is not None:
        state = put(state, shardings)
    # The bar is up before the compile, which can take a minute: a silent terminal looks like a hang.
    with tqdm(total=num_steps, initial=start, desc=desc, unit="step", disable=not progress, dynamic_ncols=True) as bar:
        if start and progress:
            bar.write(f"{desc}: resuming from the checkpoint at step {start:,}", file=sys.stderr)
        bar.set_postfix_str("compiling")
        t0 = time.perf_counter()
        chunk = compiled() if compiled is not None else compile_chunk(step, chunk_len, prog)
        compile_seconds = time.perf_counter() - t0
        bar.set_postfix_str(f"compiled in {compile_seconds:.1f} s")
        bar.unpause()  # (the rate and the time left count from here, not from before the compile)
        run_seconds = 0.0
        for c in range(start // chunk_len, num_steps // chunk_len):
            t = time.perf_counter()
            state, metrics = chunk(state, run_keys, np.uint32(c * chunk_len))
            metrics = jax.device_get(metrics)  # blocks until the chunk is done
            dt = time.perf_counter() - t
            run_seconds += dt
            bar.update(chunk_len)
            bar.set_postfix(agent_steps_per_s=f"{chunk_len * num_seeds * agent_steps_per_step / dt:,.0f}")
            end = (c + 1) * chunk_len
            if on_chunk is not None:
                on_chunk(end, {k: np.asarray(v) for k, v in metrics.items()})
            if on_chunk_end is not None:
                on_chunk_end(end, state, run_seconds)
            if should_stop is not None and should_stop():
                return RunResult(state, compile_seconds, run_seconds, end, start)
    return RunResult(state, compile_seconds, run_seconds, num_steps, start)
