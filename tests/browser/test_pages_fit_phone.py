"""Accessibility sweep at 360 px: every page in each demo role's menu, and the public pages.

On each page: no sideways scrolling, body text (and any sampled text in <main>) at least
16 px, tap targets in <main> at least
44 px tall, every form control named by a label, no console error, and WCAG AA contrast
(4.5:1; 3:1 for large text) for a sample of text elements, computed from getComputedStyle.
"""

from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from alliance.cards.models import Card
from alliance.extensions import db
from tests.browser.conftest import PHONE, sign_in

ROLES = ["secretary", "street", "grid", "merchant", "volunteer", "resident"]
PUBLIC = [
    "/",
    "/merchants/",
    "/commitments/",
    "/login",
    "/register",
    "/committee/decisions",
    "/points/where",
    "/password/forgot",
    "/requests/transparency",
]
# Beyond the menu: pages one tap away that each role uses daily. A plain path is visited; a
# (list path, selector) pair follows the first matching link of that list.
DEEPER = {
    "secretary": [
        ("/merchants/review?status=all", "main h2 a"),
        ("/merchants/manage", "main a[href^='/merchants/manage/']"),
        ("/commitments/review", "main a.commitment-title"),
        ("/requests/queue", "main a[href^='/requests/']"),
        ("/activities/manage", "main a[href*='/attendance']"),
        ("/activities/manage", "main h2 a"),
        ("/cards/", "main .list-group-item a[href^='/cards/']"),
        ("/volunteers/", "main a[href^='/volunteers/']"),
        "/activities/new",
        "/points/rules",
        "/committee/meetings",
        ("/committee/meetings", "main a[href^='/committee/meetings/']"),
        "/committee/rules/new",
    ],
    "merchant": [
        "/commitments/new",
        ("/commitments/mine", "main a[href^='/commitments/']"),
        ("/merchants/mine", "main a[href$='/staff']"),
        ("/merchants/mine", "main a[href^='/committee/liaison/']"),
        "/committee/proposals/new",
        "/cards/merchant",
        "/merchants/applications/mine",
    ],
    "volunteer": [
        ("/activities/", "main a[href^='/activities/']"),
        "/me/card/history",
        "/me/record",
        "/me/close",
    ],
    "resident": [
        ("/requests/mine", "main a[href^='/requests/']"),
        "/merchants/apply",
        "/volunteers/apply",
        "/me/close",
    ],
}

AUDIT = """() => {
  const problems = [];
  const visible = el => {
    if (el.closest('[hidden], details:not([open]) > :not(summary)')) return false;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && style.display !== 'none';
  };
  const short = el => el.outerHTML.replace(/\\s+/g, ' ').slice(0, 90);

  const root = document.documentElement;
  const overflow = root.scrollWidth - root.clientWidth;
  if (overflow > 0) problems.push(`scrolls sideways by ${overflow}px`);

  const bodySize = parseFloat(getComputedStyle(document.body).fontSize);
  if (bodySize < 16) problems.push(`body font-size ${bodySize}px`);

  const targets = document.querySelectorAll(
    'main button, main .btn, main input, main select, main textarea, main .page-link');
  for (const el of targets) {
    if (!visible(el) || ['hidden', 'checkbox', 'radio'].includes(el.type)) continue;
    const h = el.getBoundingClientRect().height;
    if (h < 44) problems.push(`tap target ${Math.round(h)}px tall: ${short(el)}`);
  }

  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) continue;
    const named = el.labels.length > 0 || el.getAttribute('aria-label')
      || (el.getAttribute('aria-labelledby') || '').split(/\\s+/).some(
        id => id && document.getElementById(id))
      || el.getAttribute('title');
    if (!named) problems.push(`control without a label: ${short(el)}`);
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) problems.push(`${attr} points nowhere (${id}): ${short(el)}`);
      }
    }
  }

  // Contrast: a sample of elements that carry text of their own.
  const parse = value => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a), a: 1,
  });
  const background = el => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none' && !style.backgroundImage.startsWith('url(')) {
        return null;  // a gradient: not computable here
      }
      const colour = parse(style.backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) break;
      }
    }
    let result = {r: 255, g: 255, b: 255, a: 1};
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = c => {
    const lin = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
  };
  const ownText = el => [...el.childNodes].some(
    n => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
  const sample = [...document.querySelectorAll('body *')]
    .filter(el => !['SCRIPT', 'STYLE', 'OPTION', 'TITLE'].includes(el.tagName))
    .filter(el => ownText(el) && visible(el) && !el.closest('[disabled], .disabled, svg'))
    .slice(0, 250);
  for (const el of sample) {
    const style = getComputedStyle(el);
    if (el.closest('main') && parseFloat(style.fontSize) < 16) {
      problems.push(`text under 16px (${style.fontSize}): ${short(el)}`);
    }
    const bg = background(el);
    const fg = parse(style.color);
    if (!bg || !fg) continue;
    const text = over(fg, bg);
    const [hi, lo] = [luminance(text), luminance(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const needed = large ? 3 : 4.5;
    if (ratio < needed - 0.005) {
      problems.push(`contrast ${ratio.toFixed(2)}:1 < ${needed}: ${style.color} on `
        + `rgb(${Math.round(bg.r)},${Math.round(bg.g)},${Math.round(bg.b)}) ${short(el)}`);
    }
  }
  return {problems, checkedText: sample.length};
}"""

MENU_LINKS = """() => [...document.querySelectorAll('#nav a.nav-link')].map(a => a.href)"""


def _audit(page, url, problems):
    """Visit one page and add what is wrong with it to `problems`."""
    errors = page.console_errors
    errors.clear()
    response = page.goto(url)
    page.wait_for_load_state("load")
    path = urlparse(url).path
    if response is None or response.status >= 400:
        problems.append(f"{path}: HTTP {response.status if response else '—'}")
    result = page.evaluate(AUDIT)
    assert result["checkedText"] > 0, f"{path}: no text sampled"
    problems.extend(f"{path}: {p}" for p in result["problems"])
    problems.extend(f"{path}: console error: {e}" for e in errors)


def _new_page(browser):
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(30000)  # a busy machine is slow, not broken
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda exc: page.console_errors.append(str(exc)))
    return context, page


@pytest.mark.parametrize("role", ROLES)
def test_menu_pages_fit_a_phone_and_are_accessible(browser, live_server_url, demo, role):
    context, page = _new_page(browser)
    sign_in(page, live_server_url, role, demo)
    links = [
        href
        for href in dict.fromkeys(page.evaluate(MENU_LINKS))
        if href.startswith(live_server_url)
    ]
    assert len(links) >= 8, links
    problems: list[str] = []
    for href in links:
        _audit(page, href, problems)
    for item in DEEPER.get(role, []):
        if isinstance(item, tuple):
            page.goto(live_server_url + item[0])
            link = page.locator(item[1]).first
            assert link.count(), f"{role}: no link {item[1]} on {item[0]}"
            item = link.get_attribute("href")
        _audit(page, live_server_url + item, problems)
    context.close()
    assert not problems, f"{role}: {len(problems)} problems\n" + "\n".join(problems)


def test_public_pages_fit_a_phone_and_are_accessible(browser, app, live_server_url, demo):
    with app.app_context():  # a card someone scans without signing in
        code = db.session.scalars(select(Card.code).order_by(Card.id)).first()
    context, page = _new_page(browser)
    problems: list[str] = []
    for path in [*PUBLIC, f"/c/{code}"]:
        _audit(page, live_server_url + path, problems)
    # One detail page of each public list.
    page.goto(f"{live_server_url}/merchants/")
    merchant = page.locator("main a[href^='/merchants/']").filter(has_text="餐厅").first
    _audit(page, live_server_url + merchant.get_attribute("href"), problems)
    page.goto(f"{live_server_url}/commitments/")
    commitment = page.locator("main a.commitment-title, main a[href^='/commitments/']").first
    _audit(page, live_server_url + commitment.get_attribute("href"), problems)
    context.close()
    assert not problems, f"{len(problems)} problems\n" + "\n".join(problems)
