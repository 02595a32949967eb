import os

import jax

# The `agi` command keeps compiled programs in ~/.cache/agi/xla (train.compile_cache); tests that call it in-process
# must not write there. `make test` shares one cache folder between its processes (JAX_COMPILATION_CACHE_DIR).
os.environ["AGI_COMPILE_CACHE"] = "off"

# Strictness in tests (equinox's habit): implicit rank promotion is an error.
jax.config.update("jax_numpy_rank_promotion", "raise")
