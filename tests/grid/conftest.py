import pytest

from tests.help_requests.factories import build


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "HELP_REQUEST_UPLOAD_DIR", str(tmp_path / "uploads"))


@pytest.fixture
def setup(world):
    return build(world)
