"""The on-disk compile cache: which folder the environment picks, and that a cached program gives the same run."""

import json
import os
import subprocess
import sys
from pathlib import Path

from train import compile_cache


def test_resolve_follows_the_environment(tmp_path):
    home = str(Path.home())
    assert compile_cache.resolve({"JAX_COMPILATION_CACHE_DIR": "/x"}) is None  # JAX reads its own setting
    assert compile_cache.resolve({"JAX_COMPILATION_CACHE_DIR": "/x", "AGI_COMPILE_CACHE": str(tmp_path)}) is None
    for off in ("0", "off", "OFF", "false", ""):
        assert compile_cache.resolve({"AGI_COMPILE_CACHE": off}) is None
    assert compile_cache.resolve({"AGI_COMPILE_CACHE": str(tmp_path)}) == tmp_path
    assert compile_cache.resolve({"AGI_COMPILE_CACHE": "~/c"}) == Path(home) / "c"
    assert compile_cache.resolve({"XDG_CACHE_HOME": "/var/c"}) == Path("/var/c/agi/xla")
    assert compile_cache.resolve({}) == Path(home) / ".cache" / "agi" / "xla"


def _train(out, cache):
    # An entry that cannot be loaded would only warn and recompile: make it an error here.
    env = {**os.environ, "AGI_COMPILE_CACHE": str(cache), "JAX_RAISE_PERSISTENT_CACHE_ERRORS": "true"}
    env.pop("JAX_COMPILATION_CACHE_DIR", None)
    cmd = [sys.executable, "-m", "agi.cli", "train", "--world", "foraging", "--preset", "tiny", "--steps", "200",
           "--seeds", "2", "--no-baseline", "--quiet", "--out", str(out)]  # fmt: skip
    p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "persistent compilation cache" not in p.stderr, p.stderr[-2000:]
    return json.loads((out / "summary.json").read_text())


def test_the_agi_command_reuses_its_compiled_program_with_the_same_results(tmp_path):
    cache = tmp_path / "cache"
    first = _train(tmp_path / "a", cache)
    entries = sorted(p.name for p in cache.iterdir())
    assert entries, "the first run stored no compiled program"
    second = _train(tmp_path / "b", cache)
    assert sorted(p.name for p in cache.iterdir()) == entries  # no program compiled anew, none failed to load
    assert second["state_digest"] == first["state_digest"]  # the same trained state, bit for bit
