"""The agent assembled: Learning + Steering Subsystems, worlds, experiments, reports and the CLI."""

from agi.agent import Agent, AgentState, Brain, build_steering, make_agent
from agi.config import ConfigError, RunConfig, override, preset
from agi.run import train_and_evaluate
from agi.system import SystemState, make_system, make_train

__all__ = [
    "Agent",
    "AgentState",
    "Brain",
    "ConfigError",
    "RunConfig",
    "SystemState",
    "build_steering",
    "make_agent",
    "make_system",
    "make_train",
    "override",
    "preset",
    "train_and_evaluate",
]
