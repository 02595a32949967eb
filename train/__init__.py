"""The generic jitted loop (scan over steps, vmap over seeds, chunks from Python). Knows nothing of agi."""

from train.loop import RunResult, make_chunk, make_train, run

__all__ = ["RunResult", "make_chunk", "make_train", "run"]
