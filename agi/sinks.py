"""Logging sinks: where each chunk's metrics go besides ``metrics.jsonl``.

A sink is any callable ``sink(step, row)`` with a ``close()`` method; ``row`` is the chunk's ``metrics.jsonl``
line: ``{"step", NAME: mean over seeds, ..., "per_seed": {NAME: [one value per seed]}}``. Pass sinks to
``agi.run.train_and_evaluate(..., sinks=[...])`` to send a run's metrics to any tracker (Weights & Biases,
MLflow, a database) without touching the loop:

    class PrintReward:
        def __call__(self, step, row):
            print(step, row["reward"])

        def close(self):
            pass

``TensorBoard`` (``agi train --tensorboard``) is the one shipped: it needs the optional ``tensorboard``
package (``pip install 'brainlike-agi[tensorboard]'``) and writes event files that ``tensorboard --logdir``
reads, without TensorFlow.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

from agi.config import ConfigError

PER_SEED = ("reward", "episode_return")  # also logged seed by seed, as ``seed_i/NAME``


class TensorBoard:
    """Scalars for every metric of every chunk (the mean over seeds), and ``seed_i/reward`` per seed."""

    def __init__(self, logdir):
        try:
            from tensorboard.compat.proto import event_pb2, summary_pb2
            from tensorboard.summary.writer.event_file_writer import EventFileWriter
        except ImportError:
            raise ConfigError("--tensorboard needs the tensorboard package: pip install 'brainlike-agi[tensorboard]'"
                              ) from None  # fmt: skip
        self._event, self._summary, self._session = event_pb2.Event, summary_pb2.Summary, event_pb2.SessionLog
        self._logdir, self._make, self._writer = Path(logdir), EventFileWriter, None

    def _scalar(self, tag: str, value: float, step: int) -> None:
        summary = self._summary(value=[self._summary.Value(tag=tag, simple_value=value)])
        self._writer.add_event(self._event(wall_time=time.time(), step=step, summary=summary))

    def __call__(self, step: int, row: dict) -> None:
        if self._writer is None:  # opened on the first chunk, once the run owns its folder
            self._logdir.mkdir(parents=True, exist_ok=True)
            self._writer = self._make(str(self._logdir))
            # A session start at this step: TensorBoard drops what an earlier session (a run killed after its last
            # checkpoint, then resumed) wrote at this step and later, so no step is shown twice.
            start = self._session(status=self._session.START)
            self._writer.add_event(self._event(wall_time=time.time(), step=step, session_log=start))
        for name, value in row.items():
            if name != "step" and isinstance(value, int | float) and math.isfinite(value):
                self._scalar(name, float(value), step)
        for name in PER_SEED:
            for i, value in enumerate(row.get("per_seed", {}).get(name, [])):
                if value is not None:
                    self._scalar(f"seed_{i}/{name}", float(value), step)
        self._writer.flush()

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
