"""The agent assembled: Learning + Steering Subsystems, worlds, experiments, reports and the CLI.

The public surface for a user's own worlds and drives: ``register_world``, ``register_drive``, ``World``,
``from_gymnax``, ``make_agent(cfg, world=..., drives=...)`` (see README "Your own drives and worlds").
"""

from agi.agent import Agent, AgentState, Brain
from agi.assemble import build_steering, make_agent
from agi.config import ConfigError, RunConfig, override, preset
from agi.registry import (
    DriveSpec,
    RegistryError,
    WorldSpec,
    drive_names,
    load_plugins,
    register_drive,
    register_world,
    world_names,
)
from agi.run import train_and_evaluate
from agi.system import SystemState, make_system, make_train
from agi.worlds import World, from_gymnax

__all__ = [
    "Agent",
    "AgentState",
    "Brain",
    "ConfigError",
    "DriveSpec",
    "RegistryError",
    "RunConfig",
    "SystemState",
    "World",
    "WorldSpec",
    "build_steering",
    "drive_names",
    "from_gymnax",
    "load_plugins",
    "make_agent",
    "make_system",
    "make_train",
    "override",
    "preset",
    "register_drive",
    "register_world",
    "train_and_evaluate",
    "world_names",
]
