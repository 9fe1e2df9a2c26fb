"""Deployment safety (issue 12, item 15): the session key, backup file permissions."""

import os
import stat

import pytest

from alliance import create_app
from alliance.config import DEFAULT_SECRET_KEY


@pytest.mark.parametrize("key", [None, "", DEFAULT_SECRET_KEY, "short"])
def test_production_refuses_to_start_with_a_guessable_secret_key(monkeypatch, key):
    monkeypatch.setenv("ALLIANCE_ENV", "production")
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SECRET_KEY": key or DEFAULT_SECRET_KEY} if key is not None else None)


def test_production_starts_with_a_real_secret_key(monkeypatch, database_url):
    monkeypatch.setenv("ALLIANCE_ENV", "production")
    app = create_app({"SECRET_KEY": "k" * 48, "SQLALCHEMY_DATABASE_URI": database_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_development_keeps_its_default_key(monkeypatch):
    monkeypatch.delenv("ALLIANCE_ENV", raising=False)
    assert create_app().config["SECRET_KEY"]


def test_backup_files_are_owner_only(runner, world, tmp_path):
    previous = os.umask(0o022)
    try:
        target = tmp_path / "site.backup"
        result = runner.invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        target.chmod(0o644)  # a second backup over an older, readable one
        assert runner.invoke(args=["backup", str(target)]).exit_code == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    finally:
        os.umask(previous)
