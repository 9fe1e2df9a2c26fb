"""axe-core over every page the authorization matrix lets each role open, in both modes.

For each role of the matrix: every GET route whose row says 200 for that role and that answers
HTML, opened in a phone-sized Chromium, first as it is, then with the large text mode (长辈模式)
switched on from the page header. Any serious or critical axe-core violation fails the test, and
so does a page that scrolls sideways at 360 px.
Chinese is checked for every role (a page whose main content is the same as one an earlier role
saw is skipped: only its header differs, and the role's home page checks that); English for every
route once, by the first role that reaches it, in the large text mode: the same pages and styles
as in Chinese, and the mode where English's longer words are likeliest to overflow.
"""

import hashlib
import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.authz.matrix import ROLES
from tests.authz.test_matrix import ROWS, ids  # noqa: F401  (the `ids` fixture)
from tests.browser.conftest import PHONE
from tests.conftest import PASSWORD, login

# GET routes that do something besides showing a page.
SKIP = {"accounts.logout"}
SERIOUS = {"serious", "critical"}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
CSRF = re.compile(r'name="csrf_token" value="[^"]*"')
# axe-core as axe-playwright-python bundles it, loaded into every page by the context (an
# init script) rather than sent over the wire for each page: half the time of a page.
AXE_SOURCE = Axe().axe_script
RUN = "axe.run(document, {resultTypes: ['violations'], iframes: false, elementRef: false})"


_PAGES: dict = {}


def html_pages(app, values, role) -> list[tuple[str, str, str]]:
    """Once per role and app (the later roles' tests ask for every earlier role's pages)."""
    key = (id(app), role)
    if key not in _PAGES:
        _PAGES[key] = _html_pages(app, values, role)
    return _PAGES[key]


def _html_pages(app, values, role) -> list[tuple[str, str, str]]:
    """(endpoint, path, digest of <main>) of the role's reachable HTML pages.

    The test client sorts them quicker than a browser would; the digest lets a page whose main
    content is the same as another role's (the public lists, the account pages) be checked once.
    """
    client = app.test_client()
    if role != "anonymous":
        assert login(client, role).status_code == 303, role
    pages = []
    for endpoint, case in sorted(ROWS.items()):
        if case.method != "GET" or case.expect[role] != 200 or endpoint in SKIP:
            continue
        path = case.path.format(**values)
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            html = response.get_data(as_text=True)
            # A print page (a notice, a card sheet) has no site frame: its whole body counts.
            main = html.split("<main", 1)[1].split("</main>", 1)[0] if "<main" in html else html
            main = CSRF.sub("", main)
            pages.append((endpoint, path, hashlib.sha1(main.encode()).hexdigest()))
    return pages


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login")
    page.get_by_label("手机号或用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base_url}/")


def switch_large_text(page):
    """Press the large text switch in the header, as a person would."""
    with page.expect_navigation():
        page.locator("header").get_by_role("button", name="长辈模式").click()
    assert page.evaluate("document.documentElement.classList.contains('large-text')")


def set_language(page, base_url, locale):
    """The language switch's own form, posted with the page's cookies (its button sits in the
    collapsing menu, whose animation is no part of what is checked here)."""
    response = page.request.post(f"{base_url}/language", form={"locale": locale, "next": "/"})
    assert response.ok, response.status


def violations(page, url) -> list[str]:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    result = page.evaluate(RUN)
    found = []
    overflow = page.evaluate(OVERFLOW)
    if overflow > 0:
        found.append(f"scrolls sideways by {overflow}px at {PHONE['width']}px")
    for rule in result["violations"]:
        if rule["impact"] not in SERIOUS:
            continue
        targets = "; ".join(" ".join(node["target"]) for node in rule["nodes"][:3])
        found.append(f"{rule['id']} ({rule['impact']}, {len(rule['nodes'])}×): {targets}")
    return found


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_axe_violation_on_any_page(browser, app, ids, live_server_url, role):  # noqa: F811
    pages = html_pages(app, ids, role)
    assert pages, role
    # A page whose main content an earlier role saw is the same page but for the header, which
    # every role's home page checks; English once per route.
    earlier = [page for r in ROLES[: ROLES.index(role)] for page in html_pages(app, ids, r)]
    seen = {digest for _endpoint, _path, digest in earlier}
    paths = [path for _e, path, digest in pages if path == "/" or digest not in seen]
    english_done = {endpoint for endpoint, _path, _digest in earlier}
    english = [path for endpoint, path, _d in pages if endpoint not in english_done]
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    context.add_init_script(AXE_SOURCE)
    page = context.new_page()
    page.set_default_timeout(30000)  # the machine may be busy
    if role != "anonymous":
        sign_in(page, live_server_url, role)

    problems = []
    for large in (False, True):
        if large:
            page.goto(f"{live_server_url}/")
            switch_large_text(page)
        mode = "large text" if large else "standard"
        for path in paths:
            problems += [f"zh {mode} {path}: {v}" for v in violations(page, live_server_url + path)]
        if english and large:
            set_language(page, live_server_url, "en")
            for path in english:
                found = violations(page, live_server_url + path)
                assert page.evaluate("document.documentElement.lang") == "en", path
                problems += [f"en {mode} {path}: {v}" for v in found]
            set_language(page, live_server_url, "zh_CN")
    context.close()
    assert not problems, f"{role}: {len(problems)} serious/critical\n" + "\n".join(problems)
