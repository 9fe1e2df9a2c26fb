"""URLs are built once per worker (alliance.urls): what is kept must never be the wrong URL."""

from flask import url_for


def test_kept_urls_follow_the_mount_point(app, client):
    """Behind a proxy that mounts the site under a prefix, the menu's links carry the prefix;
    a link kept from a request without it must not be reused."""
    assert 'href="/merchants/"' in client.get("/").get_data(as_text=True)
    page = client.get("/", environ_overrides={"SCRIPT_NAME": "/alliance"}).get_data(as_text=True)
    assert 'href="/alliance/merchants/"' in page and 'href="/merchants/"' not in page
    assert 'href="/merchants/"' in client.get("/").get_data(as_text=True)


def test_kept_urls_tell_values_and_their_types_apart(app):
    with app.test_request_context("/"):
        assert url_for("merchants.index", page=2) == "/merchants/?page=2"
        assert url_for("merchants.index", page=3) == "/merchants/?page=3"
        assert url_for("merchants.index", page=True) == "/merchants/?page=True"
        assert url_for("merchants.index", page=1) == "/merchants/?page=1"
        assert url_for("merchants.index", q=["a", "b"]) == "/merchants/?q=a&q=b"
        assert url_for("merchants.index", _anchor="top") == "/merchants/#top"
        assert url_for("merchants.index") == "/merchants/"
