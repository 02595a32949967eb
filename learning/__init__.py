"""The Learning Subsystem: everything with learned weights. Imports jax, flax, optax; never steering."""

from learning.actor import (
    advance_head_trace,
    expected_policy_loss,
    head_log_policy_grad,
    head_trace_loss,
    policy_gradient_loss,
    situation_valence,
)
from learning.generator import FeatureLayout, ThoughtGenerator, feature_layout, prediction_loss
from learning.selection import MODES, select
from learning.stabilizers import RunningNorm, RunningNormState, heads_sgd, scale_by_obgd
from learning.td import (
    HeadParams,
    TraceState,
    init_traces,
    make_heads,
    predict,
    shared_increment,
    td_errors,
    td_lambda_coefs,
    td_lambda_shared,
    td_lambda_step,
    traced_heads,
)

__all__ = [
    "MODES",
    "RunningNorm",
    "RunningNormState",
    "FeatureLayout",
    "HeadParams",
    "ThoughtGenerator",
    "TraceState",
    "advance_head_trace",
    "expected_policy_loss",
    "feature_layout",
    "head_log_policy_grad",
    "head_trace_loss",
    "heads_sgd",
    "init_traces",
    "make_heads",
    "policy_gradient_loss",
    "predict",
    "prediction_loss",
    "scale_by_obgd",
    "select",
    "shared_increment",
    "situation_valence",
    "td_errors",
    "td_lambda_coefs",
    "td_lambda_shared",
    "td_lambda_step",
    "traced_heads",
]
