import pytest


@pytest.fixture(autouse=True)
def _hazard_photos(app, tmp_path, monkeypatch):
    """Check photos go to a temporary folder, never the real instance folder."""
    monkeypatch.setitem(app.config, "HAZARD_PHOTO_DIR", str(tmp_path / "hazard-photos"))
    return tmp_path / "hazard-photos"
