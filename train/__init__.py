"""The generic jitted loop (scan over steps, vmap over seeds, chunks from Python, sharded over devices).

Knows nothing of agi."""

from train.checkpoint import Checkpointer, CheckpointError, state_digest
from train.loop import (
    Program,
    RunResult,
    compile_ahead,
    compile_chunk,
    in_background,
    make_chunk,
    make_train,
    program,
    run,
    seed_keys,
    step_keys,
)
from train.sharding import make_mesh, mesh_of, put, replicated, split_axis, with_shardings

__all__ = [
    "CheckpointError",
    "Checkpointer",
    "Program",
    "RunResult",
    "compile_ahead",
    "compile_chunk",
    "in_background",
    "make_chunk",
    "make_mesh",
    "make_train",
    "mesh_of",
    "program",
    "put",
    "replicated",
    "run",
    "seed_keys",
    "split_axis",
    "state_digest",
    "step_keys",
    "with_shardings",
]
