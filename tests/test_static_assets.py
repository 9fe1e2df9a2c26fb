"""Static files: fingerprinted names cached for a year, compressed, answered before the app."""

import gzip
import os
import re
from types import SimpleNamespace

import brotli


def asset_href(page: str, name: str) -> str:
    stem, suffix = name.rsplit(".", 1)
    return re.search(rf'(/static/{re.escape(stem)}\.[0-9a-f]{{10}}\.{suffix})"', page).group(1)


def test_pages_link_fingerprinted_files_cached_for_a_year(client):
    page = client.get("/").get_data(as_text=True)
    for name in ("css/bootstrap.css", "css/app.css", "js/nav.js"):
        href = asset_href(page, name)
        response = client.get(href)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.get_data() == client.get(f"/static/{name}").get_data()


def test_a_changed_file_gets_a_new_name(app, tmp_path):
    from alliance.assets import StaticFiles

    (tmp_path / "a.css").write_text("body{color:red}")
    dev_app = SimpleNamespace(static_folder=str(tmp_path), debug=True, config={}, wsgi_app=None)
    files = StaticFiles(dev_app)
    first = files.url_name("a.css")
    (tmp_path / "a.css").write_text("body{color:blue}")
    os.utime(tmp_path / "a.css", (1, 1))
    assert files.url_name("a.css") != first
    assert first not in files.files


def test_static_files_are_sent_compressed_when_the_browser_accepts_it(client):
    plain = client.get("/static/css/bootstrap.css").get_data()
    response = client.get("/static/css/bootstrap.css", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Vary"] == "Accept-Encoding"
    assert brotli.decompress(response.get_data()) == plain
    assert len(response.get_data()) < len(plain) / 4
    response = client.get("/static/css/bootstrap.css", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(response.get_data()) == plain


def test_plain_names_revalidate(client):
    response = client.get("/static/js/card.js")
    assert response.headers["Cache-Control"] == "public, max-age=300"
    again = client.get("/static/js/card.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert client.get("/static/no-such-file.css").status_code == 404


def test_static_files_skip_the_session_and_the_login(client):
    response = client.get("/static/js/card.js")
    assert "Set-Cookie" not in response.headers
    assert "Content-Security-Policy" not in response.headers


def test_pages_are_compressed(client, world):
    page = client.get("/")
    response = client.get("/", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()).decode().count("</html>") == 1
    assert len(response.get_data()) < len(page.get_data()) / 3
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"


def test_no_script_blocks_the_first_paint(client, world):
    for path in ("/", "/login"):
        page = client.get(path).get_data(as_text=True)
        for tag in re.findall(r"<script[^>]*>", page):
            assert " defer" in tag or " async" in tag, tag
        assert "/bootstrap/static/" not in page and "bootstrap.bundle" not in page


def test_service_worker_keeps_the_current_shell(client):
    source = client.get("/sw.js").get_data(as_text=True)
    page = client.get("/").get_data(as_text=True)
    for name in ("css/bootstrap.css", "css/app.css", "js/nav.js"):
        assert f'"{asset_href(page, name)}"' in source
    assert '"/me/card"' in source
