"""Config per component: nested sections next to their factories, dotted paths, and the old flat spellings as
aliases (in ``--set`` and in stored config.json files)."""

import dataclasses
import json
from pathlib import Path

import pytest

from agi.config import (
    ALIASES,
    AgentConfig,
    ConfigError,
    TrainConfig,
    field_docs,
    from_dict,
    normalised,
    override,
    preset,
)
from steering.drives.fear import FearConfig


def _flatten_old(d: dict) -> dict:
    """A config dict as versions before the nesting stored it: every nested field at its flat alias."""
    old, values = json.loads(json.dumps(d)), {}
    for flat, nested in ALIASES.items():
        section, *path = nested.split(".")
        node = old[section]
        for p in path[:-1]:
            node = node[p]
        values[flat] = node.pop(path[-1])
    for section in ("world", "steering"):  # the emptied sub-sections
        old[section] = {k: v for k, v in old[section].items() if v != {}}
    for flat, value in reversed(values.items()):  # steering.w_la before steering.liked_admired (then a field)
        section, name = flat.split(".", 1)
        old[section][name] = value
    return old


def test_every_alias_names_a_nested_field_and_sets_the_same_value():
    cfg = preset("tiny", "social")
    paths = {row[0] for row in field_docs()}
    for flat, nested in ALIASES.items():
        assert nested in paths and flat not in paths, (flat, nested)
    a = override(cfg, ["steering.w_fear=0.3", "world.n_agents=1", "steering.empathy=oracle"])
    b = override(cfg, ["steering.fear.w=0.3", "world.social.n_agents=1", "steering.empathy.readout=oracle"])
    assert a == b and a.steering.fear == FearConfig(w=0.3)


def test_a_config_json_written_before_the_nesting_reads_into_the_same_config():
    """A real config.json of 7ef2e53 (flat spellings, and the removed test switch at its "off" value)."""
    old = json.loads((Path(__file__).parent / "data" / "config-7ef2e53-social.json").read_text())
    assert old["train"]["debug_nan_at"] == 0 and "w_fear" in old["steering"]
    new = override(preset("tiny", "social"), ["steering.fear.w=0.3", "steering.liked_admired.w=2",
                                              "world.social.n_agents=1"])  # fmt: skip
    assert from_dict(old) == new and normalised(old) == new.to_dict()
    old["train"]["debug_nan_at"] = 5
    with pytest.raises(ConfigError, match="train.debug_nan_at=5: this field was removed"):
        from_dict(old)


def test_a_config_json_of_the_flat_spellings_reads_into_the_nested_sections():
    cfg = override(preset("tiny", "social"), ["steering.fear.tau_safe=5", "world.social.characters=friend"])
    old = _flatten_old(cfg.to_dict())
    assert "tau_safe" in old["steering"] and "fear" not in old["steering"] and "n_agents" in old["world"]
    assert from_dict(old) == cfg == from_dict(cfg.to_dict())


@pytest.mark.parametrize(
    "sets,needle",
    [
        (["steering.fear.safety_pull=2"], "steering.fear.safety_pull=2.0 is out of range"),
        (["steering.safety_pull=2"], "steering.fear.safety_pull=2.0 is out of range"),  # named by its nested key
        (["steering.friend_enemy.prior=-3"], "steering.friend_enemy.prior"),
        (["world.foraging.size=1"], "world.foraging.size=1"),
        (["steering.fear=1"], "is a section"),
        (["steering.fear.w.x=1"], "is a field, not a section"),
        (["steering.fear.nope=1"], "steering.fear has"),
        (["steering.fear.w=big"], "expected a value of type float"),
    ],
)
def test_bad_nested_keys_and_values_name_the_whole_key(sets, needle):
    with pytest.raises(ConfigError, match=None) as e:
        override(preset("tiny", "social"), sets).validate()
    assert needle in str(e.value)


def test_a_stored_nested_section_of_the_wrong_shape_is_named():
    d = preset("tiny").to_dict()
    d["steering"]["fear"] = 0.1
    with pytest.raises(ConfigError, match="'steering.fear' must be a JSON object"):
        from_dict(d)
    d["steering"]["fear"] = {"w": "high"}
    with pytest.raises(ConfigError, match="steering.fear.w"):
        from_dict(d)


def test_the_built_in_sections_live_next_to_their_factories():
    cfg = preset("tiny")
    assert type(cfg.steering.fear).__module__ == "steering.drives.fear"
    assert type(cfg.world.social).__module__ == "agi.worlds.social.config"
    assert dataclasses.is_dataclass(cfg.steering.friend_enemy)


def test_world_presets_set_the_measured_learner_and_settings_still_win():
    """The foraging and social default presets carry the step size (and the social one the interoceptive mask)
    that were measured for them (benchmarks/README.md, docs/results.md); other presets keep the generic ones,
    and ``--set`` applies after every preset hook."""
    generic = AgentConfig()
    for world in ("foraging", "social"):
        assert preset("default", world).agent.lr == pytest.approx(2 * generic.lr)
        assert preset("tiny", world).agent.lr == generic.lr
    assert preset("default", "social").agent.intero_mask_prob == pytest.approx(0.8)
    assert preset("default", "social").agent.reward_norm and not preset("tiny", "social").agent.reward_norm
    assert not preset("default", "foraging").agent.reward_norm  # (it slowed CartPole and foraging: README)
    social, foraging = preset("default", "social"), preset("default", "foraging")
    assert (social.agent.threshold, social.train.steps) == (0.5, 30_000)  # registered: docs/results.md
    assert (social.agent.reward_center, foraging.agent.reward_center) == (0.01, 0.0)  # registered: docs/results.md
    assert (foraging.agent.threshold, foraging.train.steps) == (generic.threshold, TrainConfig().steps)
    assert preset("tiny", "social").agent.threshold == generic.threshold
    assert preset("default", "foraging").agent.intero_mask_prob == generic.intero_mask_prob
    assert preset("tiny", "social").agent.intero_mask_prob == generic.intero_mask_prob
    cfg = override(preset("default", "social"), ["agent.lr=0.001", "agent.intero_mask_prob=0.1"])
    assert (cfg.agent.lr, cfg.agent.intero_mask_prob) == (0.001, 0.1)


@pytest.mark.parametrize("knob, needle", [
    ("steering.fear.stranger_danger", "bool setting; only float"),
    ("agent.lr", "not a drive's setting"),
    ("steering.arousal.nope", "unknown config key"),
])  # fmt: skip
def test_only_the_float_settings_of_drives_can_be_knobs(knob, needle):
    with pytest.raises(ConfigError, match=needle):
        override(preset("tiny"), [f"steering.knobs={knob}"]).knob_keys()
    keys = override(preset("tiny"), ["steering.knobs=steering.a_spider,steering.fear.w"]).knob_keys()
    assert keys == ("steering.arousal.a_spider", "steering.fear.w")  # aliases resolved
