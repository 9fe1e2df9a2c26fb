from pathlib import Path

from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "alliance" / "translations"


def test_chinese_is_the_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "手机号或用户名" in page


def test_visitor_can_switch_to_english_and_back(client):
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Mobile number or username" in page
    client.post("/language", data={"locale": "zh_CN"})
    assert "手机号或用户名" in client.get("/login").get_data(as_text=True)


def test_language_choice_is_kept_on_the_account(app, world, db):
    from tests.conftest import login

    first = app.test_client()
    login(first, "resident")
    first.post("/language", data={"locale": "en"})
    second = app.test_client()
    login(second, "resident")
    assert "My account" in second.get("/me").get_data(as_text=True)


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx"})
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)


def test_english_catalogue_is_complete():
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalogue = read_po(fh)
    missing = [
        m.id
        for m in catalogue
        if m.id and not (m.string if isinstance(m.string, str) else all(m.string))
    ]
    assert not missing, f"{len(missing)} messages without English: {missing[:10]}"
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy translations: {fuzzy[:10]}"


def test_catalogue_covers_the_code():
    """Every msgid in the code is in the catalogue (run `make i18n-extract` after changing text)."""
    from babel.messages.extract import extract_from_dir

    root = TRANSLATIONS.parent.parent
    with open(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po", "rb") as fh:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    method_map = [("alliance/**.py", "python"), ("templates/**.html", "jinja2")]
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root),
        method_map=method_map,
        keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "ngettext": (1, 2)},
    ):
        found.add(message if isinstance(message, str) else message[0])
    missing = sorted(found - known)
    assert not missing, f"{len(missing)} messages missing from the catalogue: {missing[:10]}"


def test_the_request_catalogue_follows_a_forced_language(app):
    """Translations are kept per request, but force_locale (used for Chinese search) still wins."""
    from flask import render_template_string
    from flask_babel import force_locale, gettext, lazy_gettext

    label = lazy_gettext("首页")
    with app.test_request_context("/"):
        assert gettext("首页") == "首页" and str(label) == "首页"
        with force_locale("en"):
            assert gettext("首页") == "Home" and str(label) == "Home"
            assert render_template_string("{{ _('首页') }}") == "Home"
        assert render_template_string("{{ _('首页') }}|{{ _('%(n)d 个', n=2) }}") == "首页|2 个"
    with app.test_request_context("/"), force_locale("en"):
        assert render_template_string("{{ _('首页') }}") == "Home"
