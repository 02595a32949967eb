"""The generic jitted loop (scan over steps, vmap over seeds, chunks from Python). Knows nothing of agi."""

from train.checkpoint import Checkpointer, CheckpointError, state_digest
from train.loop import RunResult, make_chunk, make_train, run

__all__ = ["CheckpointError", "Checkpointer", "RunResult", "make_chunk", "make_train", "run", "state_digest"]
