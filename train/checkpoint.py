"""Checkpoints of a whole training state with orbax, between chunks, never inside the compiled step.

A checkpoint holds the device state (every array of the carried pytree, PRNG keys included) and a small JSON
of host-side bookkeeping (step counter, metric accumulators). orbax writes each checkpoint to a temporary
folder and renames it when complete, so a run killed mid-save leaves the previous checkpoint usable; the last
``max_to_keep`` are kept.

References: DESIGN.md §8 (checkpoint between chunks).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jax
import jax.numpy as jnp
import numpy as np
import orbax.checkpoint as ocp


class CheckpointError(RuntimeError):
    """A checkpoint that is missing, corrupted or does not fit the run; the message says which."""


class Checkpointer:
    """Saves and restores ``(state, host)`` pairs under ``directory`` keyed by step."""

    def __init__(self, directory, max_to_keep: int = 3):
        self.directory = Path(directory).absolute()
        self._manager = ocp.CheckpointManager(
            self.directory, options=ocp.CheckpointManagerOptions(max_to_keep=max_to_keep)
        )

    def save(self, step: int, state, host: dict) -> None:
        """Saves and waits until the checkpoint is complete on disk. The host JSON also records the state's
        layout (every leaf's path, shape and dtype), so a restore into another layout names what differs."""
        host = {**host, "_layout": layout(state)}
        args = ocp.args.Composite(state=ocp.args.StandardSave(_nonempty(state)), host=ocp.args.JsonSave(host))
        self._manager.save(step, args=args)
        self._manager.wait_until_finished()

    def latest_step(self) -> int | None:
        return self._manager.latest_step()

    def restore(self, abstract_state, step: int | None = None, adapt=None):
        """Returns ``(step, state, host)`` for ``step`` (default: the latest); ``abstract_state`` gives shapes.

        ``adapt(path, saved, wanted)``: for a checkpoint whose arrays have the same paths but some other shapes
        (written by an earlier version), the array for ``path`` (``jax.tree_util.keystr``) in the wanted
        ``ShapeDtypeStruct``'s shape, made from the ``saved`` one, or None if it cannot be; without it, or when it
        returns None, such a checkpoint is refused with the first difference named."""
        step = self.latest_step() if step is None else step
        if step is None:
            raise CheckpointError(f"no checkpoint in {self.directory}")
        try:
            saved = self._manager.restore(step, args=ocp.args.Composite(host=ocp.args.JsonRestore())).host
        except Exception:  # unreadable bookkeeping: the full restore below says so in one line
            saved = {}
        wanted, treedef = jax.tree.flatten(abstract_state)
        target, differ = list(wanted), None
        if saved and "_layout" in saved:
            here = layout(abstract_state)
            differ = _first_difference(saved["_layout"], here)
            same_paths = len(saved["_layout"]) == len(here) and all(a[0] == b[0] for a, b in
                                                                     zip(saved["_layout"], here, strict=True))
            if differ and not (adapt is not None and same_paths):
                raise CheckpointError(f"checkpoint {self.directory}/{step} does not fit this run: {differ} (was it "
                                      "written by another world, config or version?)")  # fmt: skip
            if differ:  # restore the arrays as they were saved, then adapt those whose shapes changed
                dtypes = [p for (p, _, dtype), (_, _, d2) in zip(saved["_layout"], here, strict=True) if dtype != d2]
                if dtypes:
                    raise CheckpointError(f"checkpoint {self.directory}/{step} does not fit this run: {dtypes[0]} has "
                                          "another dtype there (was it written by another config or version?)")
                target = [w if list(w.shape) == shape else
                          jax.ShapeDtypeStruct(tuple(shape), w.dtype, sharding=getattr(w, "sharding", None))
                          for w, (_, shape, _) in zip(wanted, saved["_layout"], strict=True)]  # fmt: skip
        args = ocp.args.Composite(state=ocp.args.StandardRestore(_nonempty(target)), host=ocp.args.JsonRestore())
        try:
            restored = self._manager.restore(step, args=args)
        except Exception as e:  # orbax raises many kinds; the user needs one clear line
            earlier = sorted((s for s in self._manager.all_steps() if s < step), reverse=True)
            hint = (f"; earlier checkpoints are kept ({', '.join(map(str, earlier))}): remove the folder "
                    f"{self.directory}/{step} to use {earlier[0]}") if earlier else ""  # fmt: skip
            raise CheckpointError(f"checkpoint {self.directory}/{step} cannot be restored: {type(e).__name__}: "
                                  f"{str(e).splitlines()[0][:200] if str(e) else ''}{hint}") from None  # fmt: skip
        leaves = [restored.state[str(i)] if _size(a) else jnp.zeros(a.shape, a.dtype) for i, a in enumerate(target)]
        if differ:
            paths = [p for p, *_ in saved["_layout"]]
            for i, (leaf, w) in enumerate(zip(leaves, wanted, strict=True)):
                if leaf.shape != w.shape:
                    new = adapt(paths[i], leaf, w)
                    if new is None or new.shape != w.shape:
                        raise CheckpointError(f"checkpoint {self.directory}/{step} does not fit this run: {paths[i]} "
                                              f"is {list(leaf.shape)} there and {list(w.shape)} here (was it written "
                                              "by another world, config or version?)")  # fmt: skip
                    sharding = getattr(w, "sharding", None)
                    leaves[i] = jax.device_put(new, sharding) if sharding is not None else jnp.asarray(new)
        return step, jax.tree.unflatten(treedef, leaves), restored.host

    def close(self):
        self._manager.close()


def layout(state) -> list:
    """``[[path, shape, dtype], ...]`` of every leaf of ``state`` (arrays or ``ShapeDtypeStruct``s)."""
    leaves = jax.tree_util.tree_leaves_with_path(state)
    return [[jax.tree_util.keystr(p), list(x.shape), str(x.dtype)] for p, x in leaves]


def _first_difference(saved: list, wanted: list) -> str | None:
    """A readable account of the first way two layouts differ, or None."""
    for (p, shape, dtype), (q, shape2, dtype2) in zip(saved, wanted, strict=False):
        if p != q:
            return f"it holds {p} where this run has {q}"
        if shape != shape2 or dtype != dtype2:
            return f"{p} is {dtype}{shape} there and {dtype2}{shape2} here"
    if len(saved) != len(wanted):
        return f"it holds {len(saved)} arrays, this run's state {len(wanted)}"
    return None


def _size(leaf) -> int:
    return int(np.prod(leaf.shape))


def _nonempty(state) -> dict:
    """The leaves with at least one element, keyed by their position (orbax cannot save empty arrays)."""
    return {str(i): leaf for i, leaf in enumerate(jax.tree.leaves(state)) if _size(leaf)}


def state_digest(state) -> str:
    """SHA-256 over the bytes of every leaf of ``state`` in tree order: two runs compare with one look."""
    h = hashlib.sha256()
    for leaf in jax.tree.leaves(state):
        a = np.asarray(jax.random.key_data(leaf) if jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key) else leaf)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()
