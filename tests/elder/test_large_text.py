"""The large text mode (长辈模式): a switch on every page, kept per account and per browser."""

from alliance.accounts.models import User
from tests.conftest import login


def switch(client, mode, next_path="/"):
    return client.post("/large-text", data={"mode": mode, "next": next_path})


def large(client, path="/"):
    html = client.get(path).get_data(as_text=True)
    # The stylesheet's name is fingerprinted: /static/css/elder.<digest>.css
    return 'class="large-text"' in html and "/static/css/elder." in html


def test_a_visitor_switches_it_on_and_the_browser_remembers(client):
    page = client.get("/merchants/").get_data(as_text=True)
    assert 'action="/large-text"' in page and 'aria-pressed="false"' in page
    response = switch(client, "on", "/merchants/?page=2")
    assert response.status_code == 303
    assert response.headers["Location"] == "/merchants/?page=2"
    cookie = response.headers["Set-Cookie"]
    assert "large_text=1" in cookie and "HttpOnly" in cookie and "Max-Age=" in cookie
    assert large(client, "/commitments/")
    assert 'aria-pressed="true"' in client.get("/").get_data(as_text=True)
    switch(client, "off")
    assert not large(client, "/commitments/")


def test_the_switch_refuses_other_sites_and_bad_values(client):
    assert switch(client, "on", "//evil.example/").headers["Location"] == "/"
    assert large(client)
    response = switch(client, "huge")  # neither on nor off: nothing changes
    assert response.status_code == 303 and "large_text=" not in response.headers.get(
        "Set-Cookie", ""
    )
    assert large(client)


def test_the_account_keeps_it_across_logins_and_browsers(client, app, db, world):
    assert login(client, "resident").status_code == 303
    switch(client, "on")
    assert db.session.get(User, world.users["resident"].id).large_text is True
    client.post("/logout")
    phone = app.test_client()  # another browser, no cookie
    assert not large(phone)
    login(phone, "resident")
    assert large(phone, "/requests/mine")
    switch(phone, "off")
    db.session.expire_all()
    assert db.session.get(User, world.users["resident"].id).large_text is False
    other = app.test_client()
    login(other, "resident")
    assert not large(other)


def test_the_account_setting_wins_over_the_browser_cookie(client, world):
    switch(client, "on")  # as a visitor on a shared phone
    assert large(client)
    login(client, "merchant")  # whose account has it off
    assert not large(client)


def menu(client):
    html = client.get("/").get_data(as_text=True)
    nav = html.split('id="nav"', 1)[1].split("</ul>", 1)[0]
    return [part.split('"', 1)[0] for part in nav.split('href="')[1:]]


def test_the_menu_keeps_each_roles_main_tasks(client, world):
    full = {}
    for role, tasks in {
        "merchant": {"/", "/scan", "/requests/orders", "/commitments/mine", "/inbox/", "/me"},
        "volunteer": {"/", "/me/card", "/activities/", "/me/points", "/inbox/", "/me"},
        "secretary_a": {"/", "/requests/queue", "/merchants/review", "/volunteers/applications"},
    }.items():
        client.post("/logout")
        login(client, role)
        switch(client, "off")
        full[role] = menu(client)
        switch(client, "on")
        reduced = menu(client)
        assert tasks <= set(reduced), (role, reduced)
        assert len(reduced) <= 8 and len(reduced) < len(full[role]), (role, reduced)
    client.post("/logout")
    assert set(menu(client)) == {"/", "/merchants/", "/commitments/"}


def test_every_role_sees_the_switch_on_its_pages(client, world):
    for role in ("resident", "street"):
        client.post("/logout")
        login(client, role)
        for path in ("/", "/me", "/inbox/"):
            assert "长辈模式" in client.get(path).get_data(as_text=True), (role, path)


def test_the_manifest_makes_the_site_installable(client):
    page = client.get("/").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    response = client.get("/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    body = response.get_json(force=True)
    assert body["name"] == "共富联盟" and body["lang"] == "zh-CN"
    assert body["display"] == "standalone" and body["start_url"] == "/"
    sizes = {icon["sizes"] for icon in body["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon["purpose"] == "maskable" for icon in body["icons"])
    for icon in body["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200 and image.mimetype == "image/png"
        width, height = icon["sizes"].split("x")
        assert image.data[16:24] == int(width).to_bytes(4, "big") + int(height).to_bytes(4, "big")
        image.close()


def test_english_pages_say_so(client):
    client.post("/language", data={"locale": "en", "next": "/"})
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en"' in page and "Large text mode" in page
    assert client.get("/manifest.webmanifest").get_json(force=True)["lang"] == "en"
    client.post("/language", data={"locale": "zh_CN", "next": "/"})
    assert '<html lang="zh-CN"' in client.get("/").get_data(as_text=True)
