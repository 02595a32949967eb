"""Built-in drives. Each module documents its formula and the seed section it implements."""

from steering.drives.arousal import arousal_valence, make_arousal, make_arousal_valence
from steering.drives.env_reward import make_env_reward
from steering.drives.fear import make_fear
from steering.drives.homeostasis import make_homeostasis
from steering.drives.pain import make_pain
from steering.drives.senses import make_sensory_heuristics

__all__ = [
    "arousal_valence",
    "make_arousal",
    "make_arousal_valence",
    "make_env_reward",
    "make_fear",
    "make_homeostasis",
    "make_pain",
    "make_sensory_heuristics",
]
