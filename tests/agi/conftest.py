from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


@pytest.fixture(autouse=True)
def test_plugins_on_path(monkeypatch):
    """Test plugins (``tests/plugins``, e.g. ``agi_poison``) import by name, as a user's package would."""
    monkeypatch.syspath_prepend(str(PLUGINS))
