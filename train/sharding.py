"""Sharding a run's state over devices with ``jax.sharding``: a 1-D mesh and named shardings, no ``pmap``.

``train/`` does not know what the state means: the caller passes ``sharding(abstract_state) -> tree of
NamedSharding`` (one per leaf, all on one mesh) and ``train.run`` places the state with it, compiles each chunk
with it as the state's input and output sharding, and keeps the PRNG keys and the metrics replicated. The
program is the same one; XLA partitions it (GSPMD), so a sharded run computes what an unsharded one does, up to
the order of the floating-point sums that cross devices.

With several processes (``jax.distributed.initialize()``), ``jax.devices()`` spans all hosts, so a mesh over
it spans them too; ``put`` then builds each global array from the value every process holds.

References: DESIGN.md §8 (shard the env axis over all devices; a sharded run must equal an unsharded one).
"""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec, SingleDeviceSharding


def make_mesh(axis_name: str, devices=None) -> Mesh:
    """A 1-D mesh named ``axis_name`` over ``devices`` (default: all devices of all processes)."""
    devices = jax.devices() if devices is None else devices
    return Mesh(np.asarray(devices), (axis_name,))


def replicated(mesh: Mesh) -> NamedSharding:
    """Every device holds the whole array."""
    return NamedSharding(mesh, PartitionSpec())


def split_axis(mesh: Mesh, axis: int) -> NamedSharding:
    """The array is split along ``axis`` over the mesh's (only) axis; other axes are whole on every device."""
    (name,) = mesh.axis_names
    return NamedSharding(mesh, PartitionSpec(*([None] * axis), name))


def mesh_of(shardings) -> Mesh:
    """The one mesh of a tree of ``NamedSharding``."""
    meshes = {s.mesh for s in jax.tree.leaves(shardings)}
    if len(meshes) != 1 or not all(isinstance(s, NamedSharding) for s in jax.tree.leaves(shardings)):
        raise ValueError("a state's shardings must be NamedShardings on one mesh")
    return meshes.pop()


def with_shardings(abstract, shardings=None):
    """``abstract`` (a tree of ``ShapeDtypeStruct``) with a sharding on every leaf.

    Without ``shardings`` every leaf goes to the first local device, so a checkpoint written on any number of
    devices restores onto this process's.
    """
    if shardings is None:
        one = SingleDeviceSharding(jax.local_devices()[0])
        return jax.tree.map(lambda a: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=one), abstract)
    return jax.tree.map(lambda a, s: jax.ShapeDtypeStruct(a.shape, a.dtype, sharding=s), abstract, shardings)


def put(tree, shardings):
    """``tree`` placed with ``shardings`` (a tree of the same structure, or one sharding for every leaf).

    With one process this is ``jax.device_put``. With several, each process holds the same full value and every
    global array is assembled from the pieces its local devices need.
    """
    if jax.process_count() == 1:
        return jax.device_put(tree, shardings)
    if not isinstance(shardings, jax.sharding.Sharding):
        return jax.tree.map(_put_global, tree, shardings)
    return jax.tree.map(lambda x: _put_global(x, shardings), tree)


def _put_global(x, sharding):
    if isinstance(x, jax.Array) and x.sharding == sharding:  # e.g. restored by orbax straight onto the mesh
        return x
    value = np.asarray(jax.device_get(x))
    return jax.make_array_from_callback(value.shape, sharding, lambda index: value[index])
