"""An example plugin: a world and a drive of a user's own, trained by the unmodified ``agi`` CLI.

    agi train --plugin agi_beacon --world beacon --set steering.drives=nearness

(with ``examples/`` on ``PYTHONPATH``, or this package installed). Importing it registers both.
"""

import agi
from agi_beacon.drive import NearnessConfig, make_nearness
from agi_beacon.world import BeaconConfig, make_beacon

agi.register_world("beacon", make_beacon, config=BeaconConfig,
                   description="bodies on a grid and a beacon that wanders; nothing is rewarded by the world")
agi.register_drive("nearness", make_nearness, config=NearnessConfig,
                   description="reward for being near the beacon, with a learned predictor of nearness")
