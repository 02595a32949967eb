import jax

# Strictness in tests (equinox's habit): implicit rank promotion is an error.
jax.config.update("jax_numpy_rank_promotion", "raise")
