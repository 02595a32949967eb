"""Features learned by prediction alone (``agent.feature_learning=prediction``) and the valence head's own
pathway (``agent.value_pathway``): what reads what, and which loss moves which parameters (issue 13)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from agi import make_agent, override, preset
from agi.config import ConfigError
from tests.agi.test_agent import _warm

SHARED = ("encoder", "gru", "imagine", "dec_extero", "dec_intero")  # what every head's features come from


def _agent(*sets):
    return make_agent(override(preset("tiny", "foraging"), list(sets)))


@pytest.fixture(scope="module", params=["shared", "prediction"])
def grads(request):
    """``(mode, {with / without the prediction loss: largest |gradient| per top-level module})`` of one agent's
    loss on a real transition, its action counted as a fresh proposal (so that the actor's loss is on whatever
    the random draw kept); cont = 0 drops the prediction loss, leaving the actor and valence losses."""
    agent = _agent(f"agent.feature_learning={request.param}", "agent.value_pathway=8")
    s, think = _warm(agent, steps=2, envs=1)
    _, thought = think(s.brain, s.agents, jax.random.split(jax.random.PRNGKey(2), (1, 1)))
    inputs = jax.tree.map(lambda x: x[0, 0], thought.learning.loss_inputs)
    brain = jax.tree.map(lambda x: x[0], s.brain)
    out = {}
    for name, cont in (("all", inputs.pending.cont), ("no_prediction", jnp.zeros(()))):
        i = inputs._replace(pending=inputs.pending._replace(cont=cont, on_policy=jnp.ones(())))
        g = jax.grad(lambda p, i=i: agent._loss(p, brain.assessors, *i)[0])(brain.generator)
        out[name] = {k: max(float(jnp.max(jnp.abs(x))) for x in jax.tree.leaves(v)) for k, v in g["params"].items()}
    return request.param, out


def test_only_the_valence_head_reads_the_critic_block():
    agent = _agent("agent.feature_learning=prediction", "agent.value_pathway=8")
    lay = agent.generator.layout
    assert lay.critic.stop - lay.critic.start == 8 and lay.critic.stop == lay.dim <= agent.feature_dim
    mask = np.asarray(agent.heads.read_mask)
    assert np.all(mask[agent.valence, lay.critic] == 1)
    others = [i for i in range(len(agent.head_names)) if i != agent.valence]
    assert np.all(mask[others][:, lay.critic] == 0) and np.all(mask[others][:, lay.shared][:, : lay.intero.start] == 1)


def test_without_a_pathway_the_layout_is_unchanged():
    lay = _agent().generator.layout
    assert lay.critic.stop - lay.critic.start == 0 and lay.dim == lay.bias.stop


def test_the_valence_and_actor_losses_reach_the_shared_features_only_when_shared(grads):
    """Without the prediction loss, the actor and valence losses move the encoder, the recurrent cell and the
    imagination only with ``shared`` features; with ``prediction`` only the actor's and the critic's layers."""
    mode, g = grads
    g = g["no_prediction"]
    own = {k for k in g if k.startswith(("actor_", "critic"))}  # the actor's and the critic's own layers
    assert g["critic"] > 0 and g["critic_out"] > 0 and g["actor_out"] > 0
    if mode == "shared":
        assert max(g[k] for k in SHARED if k in g) > 0
    else:
        assert all(g[k] == 0 for k in set(g) - own), {k: g[k] for k in set(g) - own}


def test_prediction_loss_still_trains_the_shared_features(grads):
    g = grads[1]["all"]
    assert g["gru"] > 0 and g["imagine"] > 0 and g["encoder"] > 0


def test_bad_values_are_refused():
    with pytest.raises(ConfigError, match="agent.feature_learning"):
        _agent("agent.feature_learning=critic")
    with pytest.raises(ConfigError, match="agent.value_pathway"):
        _agent("agent.value_pathway=-1")
