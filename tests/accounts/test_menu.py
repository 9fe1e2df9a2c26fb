"""The menu follows the person: roles, community and language change it on the next page."""

from alliance.accounts.models import Role, User, UserRole
from alliance.communities.models import Community


def test_menu_follows_roles_community_and_language(as_user, world, db):
    client = as_user("resident")
    page = client.get("/").get_data(as_text=True)
    assert "派单" not in page and "我的社区" in page
    db.session.add(UserRole(user_id=world.users["resident"].id, role=Role.SECRETARY))
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "派单" in page and "我的社区" not in page
    client.post("/language", data={"locale": "en"})
    page = client.get("/").get_data(as_text=True)
    assert "Dispatch" in page and "派单" not in page


def test_menu_links_to_the_person_s_own_community(as_user, world, db):
    client = as_user("resident")
    assert f"/communities/{world.a.id}" in client.get("/").get_data(as_text=True)
    user = db.session.get(User, world.users["resident"].id)
    user.community_id = db.session.get(Community, world.b.id).id
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert f"/communities/{world.b.id}" in page and f'/communities/{world.a.id}"' not in page


def test_the_menu_marks_the_page_one_is_on(as_user, world):
    """The rendered menu is kept per menu and current entry: each page still marks its own."""
    client = as_user("resident")
    for path in ("/", "/merchants/", "/commitments/", "/requests/mine", "/merchants/"):
        page = client.get(path).get_data(as_text=True)
        nav = page.split('id="nav"', 1)[1].split("</ul>", 1)[0]
        assert nav.count('aria-current="page"') == 1, path
        assert f'aria-current="page" href="{path}"' in nav, path
    page = client.get("/requests/new").get_data(as_text=True)
    assert 'aria-current="page" href="/requests/new"' in page
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'aria-current="page"' in page.split('id="nav"', 1)[1].split("</ul>", 1)[0]
