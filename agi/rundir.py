"""One run, one folder, one writer: how a run folder is claimed, written and repaired.

- ``claim(out, fresh=..., overwrite=...)`` takes an exclusive lock on ``out/.lock`` for as long as the process
  writes the folder (a second writer gets one line naming the first one's pid), refuses to start a fresh run
  in a folder that already holds one unless told to overwrite it, and checks the folder is writable;
- ``write_atomic`` writes a file to a temporary name, syncs it and renames it over the old one, so a reader or
  a crash sees the old file or the new one, never a torn one;
- ``MetricsLog`` appends one JSON line per chunk and syncs it; ``MetricsLog.recover`` drops a torn last line and
  the rows after the checkpoint a resume starts from, rewriting the file atomically before anything is added;
- ``provenance()`` records the code version, the library versions and the devices of a run.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from agi.config import ConfigError

# What a run writes into its folder; ``--overwrite`` removes exactly these and nothing else.
RUN_FILES = ("config.json", "metrics.jsonl", "summary.json", "reward.png", "checkpoints", "eval", "tensorboard",
             "baseline.json", "options.json", "stopped.json")  # fmt: skip
LOCK = ".lock"


class FolderInUse(ConfigError):
    """Another process is writing the run folder, or it holds a run and overwriting was not asked for."""


def holds_run(out, files=RUN_FILES) -> bool:
    """Whether ``out`` already holds (part of) a run: any of ``files``."""
    return any((Path(out) / name).exists() for name in files)


def default_out(world: str, root="runs") -> Path:
    """``runs/WORLD-YYYYmmdd-HHMMSS`` (with ``-2``, ``-3``, ... if taken): a default that never collides."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = Path(root) / f"{world.replace(':', '-')}-{stamp}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def check_writable(out) -> None:
    """One line (``ConfigError``) if ``out`` cannot be created or written: a file in the way, no permission, a
    read-only filesystem."""
    out = Path(out)
    for parent in (out, *out.parents):
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(f"output folder {out}: {parent} is a file, not a folder")
            break
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise ConfigError(f"output folder {out} is not writable: {e.strerror or e}") from None


@contextlib.contextmanager
def claim(out, *, fresh: bool, overwrite: bool = False, primary: bool = True, files=RUN_FILES,
          resume_hint: str = "agi train --resume {out}"):
    """Locks ``out`` for this process while the body runs; see the module docstring.

    ``fresh``: a new run (refused where one of ``files`` already is, unless ``overwrite``, which first removes
    exactly those). ``primary=False`` (the other hosts of a multi-host run) takes no lock: only the first process
    writes the run's small files, and orbax coordinates the checkpoints.
    """
    out = Path(out)
    check_writable(out)
    if not primary:
        yield out
        return
    fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            raise FolderInUse(f"{out} is being written by another agi process (pid {pid}); wait for it to end or "
                              "choose another --out") from None  # fmt: skip
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        if fresh and holds_run(out, files):
            if not overwrite:
                raise FolderInUse(f"{out} already holds a run; continue it with `{resume_hint.format(out=out)}` or "
                                  "replace it with --overwrite")  # fmt: skip
            for name in files:
                p = out / name
                if p.is_dir():
                    shutil.rmtree(p)
                elif p.exists():
                    p.unlink()
        yield out
    finally:
        os.close(fd)  # releases the lock


def write_atomic(path, data: str | bytes) -> None:
    """Writes ``data`` to ``path`` through a synced temporary file and a rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def save_figure(fig, path, dpi: int = 110) -> None:
    """Saves a matplotlib figure as PNG through ``write_atomic`` and closes it."""
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, dpi=dpi, format="png")
    plt.close(fig)
    write_atomic(path, buf.getvalue())


def write_json(path, obj) -> None:
    """``write_atomic`` of ``obj`` as indented JSON."""
    write_atomic(path, json.dumps(obj, indent=2))


class MetricsLog:
    """``metrics.jsonl``: one JSON object per chunk, appended and synced, so a crash loses at most the line being
    written (which ``recover`` then drops)."""

    def __init__(self, path, enabled: bool = True):
        self.path = Path(path)
        self._f = open(self.path, "a") if enabled else None

    @staticmethod
    def read(path) -> list[dict]:
        """The complete rows of ``path``; a torn or unparseable line (a crash mid-write) and what follows it are
        left out."""
        rows = []
        if not Path(path).exists():
            return rows
        for line in Path(path).read_text().splitlines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                break
            if not isinstance(row, dict) or "step" not in row:
                break
            rows.append(row)
        return rows

    @classmethod
    def recover(cls, path, up_to_step: int, enabled: bool = True) -> tuple[MetricsLog, list[dict]]:
        """Keeps the rows up to ``up_to_step`` (the checkpoint a resume starts from), rewrites the file with them
        atomically and opens it for appending; returns the log and the kept rows."""
        rows = [r for r in cls.read(path) if r["step"] <= up_to_step]
        if enabled:
            write_atomic(path, "".join(json.dumps(r) + "\n" for r in rows))
        return cls(path, enabled), rows

    def append(self, row: dict) -> None:
        if self._f is None:
            return
        self._f.write(json.dumps(row) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


def _git_commit() -> str | None:
    here = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=5)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode:
        return None
    return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def provenance() -> dict:
    """Where a result came from: package and code version, library versions, Python, host and devices, and the
    compile cache folder in use (None: every program was compiled)."""
    import jax

    packages = ("brainlike-agi", "jax", "jaxlib", "flax", "optax", "chex", "orbax-checkpoint", "gymnax", "numpy")
    return {
        "code_commit": _git_commit(),
        "versions": {p: _version(p) for p in packages},
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "devices": [f"{d.platform}:{d.device_kind}" for d in jax.devices()],
        "process_count": jax.process_count(),
        # a compile time read from here was a load where this folder held the program (train.compile_cache)
        "compile_cache": jax.config.jax_compilation_cache_dir or None,
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def disk_full(e: OSError) -> bool:
    return e.errno in (errno.ENOSPC, errno.EDQUOT)
