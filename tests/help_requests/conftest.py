import pytest

from tests.help_requests.factories import build


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    """Photos go to a temporary folder, never the real instance folder."""
    monkeypatch.setitem(app.config, "HELP_REQUEST_UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def setup(world):
    return build(world)
