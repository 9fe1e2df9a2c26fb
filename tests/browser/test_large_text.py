"""长辈模式 on a phone: switched on from the header, then measured as an older resident needs it.

On the home page, the commitment board, the holder's card and the counter (/scan, merchant
staff): body text at least 20 px and headings larger, line height at least 1.5, text contrast
at least 7:1, every tap target at least 48 x 48 px, links underlined (not told by colour alone),
no sideways scrolling at 360 px, and nothing cut off at 200 % zoom. The card reads its number
and holder's name aloud; the setting follows the account to another phone.
"""

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in

MEASURE = """() => {
  const problems = [];
  const shown = el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 1 && box.height > 1 && style.visibility !== 'hidden'
      && style.display !== 'none' && !el.closest('[hidden], .visually-hidden, .visually-hidden-focusable');
  };
  const short = el => el.outerHTML.replace(/\\s+/g, ' ').slice(0, 80);
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`scrolls sideways by ${root.scrollWidth - root.clientWidth}px`);
  }
  const body = getComputedStyle(document.body);
  const bodySize = parseFloat(body.fontSize);
  if (bodySize < 20) problems.push(`body text ${bodySize}px`);
  if (parseFloat(body.lineHeight) / bodySize < 1.5) problems.push(`line height ${body.lineHeight}`);
  for (const h of document.querySelectorAll('main h1, main h2')) {
    if (shown(h) && parseFloat(getComputedStyle(h).fontSize) <= bodySize) {
      problems.push(`heading not larger than the text: ${short(h)}`);
    }
  }

  const rgb = value => {
    const m = value.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const over = (t, b) => ({r: t.r * t.a + b.r * (1 - t.a), g: t.g * t.a + b.g * (1 - t.a),
    b: t.b * t.a + b.b * (1 - t.a), a: 1});
  const backdrop = el => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    return layers.reverse().reduce((acc, layer) => over(layer, acc), {r: 255, g: 255, b: 255, a: 1});
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const texts = [...document.querySelectorAll('body *')].filter(el =>
    !['SCRIPT', 'STYLE', 'OPTION', 'TITLE'].includes(el.tagName) && shown(el)
    && [...el.childNodes].some(n => n.nodeType === Node.TEXT_NODE && n.textContent.trim()));
  let lowest = 99;
  for (const el of texts) {
    const style = getComputedStyle(el);
    if (parseFloat(style.fontSize) < 20) problems.push(`text ${style.fontSize}: ${short(el)}`);
    if (el.closest('[disabled], .disabled')) continue;
    const bg = backdrop(el);
    const fg = over(rgb(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    lowest = Math.min(lowest, ratio);
    if (ratio < 7) problems.push(`contrast ${ratio.toFixed(2)}:1 ${style.color}: ${short(el)}`);
  }

  const targets = document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary, .form-check');
  let smallest = 999;
  for (const el of targets) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    smallest = Math.min(smallest, box.width, box.height);
    if (box.width < 48 || box.height < 48) {
      problems.push(`tap target ${Math.round(box.width)}x${Math.round(box.height)}: ${short(el)}`);
    }
  }
  for (const a of document.querySelectorAll('main a:not(.btn)')) {
    if (shown(a) && !getComputedStyle(a).textDecorationLine.includes('underline')) {
      problems.push(`link told by colour alone: ${short(a)}`);
    }
  }
  return {problems, bodySize, lowest, smallest, texts: texts.length};
}"""


def measure(page, path, base_url):
    page.goto(base_url + path)
    assert page.evaluate("document.documentElement.classList.contains('large-text')"), path
    result = page.evaluate(MEASURE)
    assert result["texts"] > 3, path
    assert not result["problems"], f"{path}:\n" + "\n".join(result["problems"])
    return result


def switch_on(page):
    button = page.locator("header").get_by_role("button", name="长辈模式")
    expect(button).to_have_attribute("aria-pressed", "false")
    with page.expect_navigation():
        button.click()
    expect(page.locator("header").get_by_role("button", name="长辈模式")).to_have_attribute(
        "aria-pressed", "true"
    )


def phone(browser):
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2, locale="zh-CN"
    )
    return context, context.new_page()


def test_large_text_mode_measured_on_a_phone(browser, live_server_url, demo):
    base = live_server_url
    visitor, page = phone(browser)
    page.goto(base + "/commitments/")
    switch_on(page)
    assert page.url == base + "/commitments/"  # back where the switch was pressed
    figures = [measure(page, path, base) for path in ("/", "/commitments/")]
    assert min(f["bodySize"] for f in figures) >= 20
    # The menu keeps a visitor's three main tasks.
    links = page.locator("#nav ul.me-auto a.nav-link")
    expect(links).to_have_text(["首页", "联盟商户", "承诺公示"])
    visitor.close()

    holder, page = phone(browser)
    # Record what the page asks the speech engine to say (the engine itself may have no voice here).
    page.add_init_script(
        "window.spoken = []; const speak = speechSynthesis.speak.bind(speechSynthesis);"
        "speechSynthesis.speak = u => { window.spoken.push([u.text, u.lang]); speak(u); };"
    )
    sign_in(page, base, "volunteer", demo)
    page.goto(base + "/me/card")
    switch_on(page)
    card = measure(page, "/me/card", base)
    main = page.locator("main")
    number = main.locator(".member-card-number").first
    expect(number).to_be_visible()
    expect(main.locator(".member-card-name").first).to_be_visible()
    assert float(number.evaluate("e => getComputedStyle(e).fontSize").rstrip("px")) >= 36
    # Only the card: no download or history buttons, no footnote.
    expect(main.get_by_role("link", name="使用记录")).to_be_hidden()
    expect(main.get_by_text("结账时出示此页")).to_be_hidden()
    main.get_by_role("button", name="朗读卡号和姓名").first.click()
    text, lang = page.evaluate("window.spoken")[0]
    digits = number.inner_text().replace("-", "")
    assert " ".join(digits[-6:]) in text and "持卡人" in text and lang == "zh-CN"
    assert card["smallest"] >= 48 and card["lowest"] >= 7
    holder.close()

    cashier, page = phone(browser)
    sign_in(page, base, "merchant", demo)
    page.goto(base + "/scan")
    switch_on(page)
    measure(page, "/scan", base)
    menu = page.locator("#nav ul.me-auto a.nav-link")
    expect(menu.filter(has_text="扫码核销")).to_have_count(1)
    assert menu.count() <= 8
    cashier.close()

    # 200 % zoom on a 1280 px screen is a 640 px wide page: nothing cut off or sideways.
    zoomed = browser.new_context(viewport={"width": 640, "height": 400}, device_scale_factor=2)
    page = zoomed.new_page()
    sign_in(page, base, "volunteer", demo)
    for path in ("/", "/commitments/", "/me/card"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), path
        expect(page.locator("header").get_by_role("button", name="长辈模式")).to_be_in_viewport()
    zoomed.close()


def test_the_setting_follows_the_account_to_another_phone(browser, live_server_url, demo):
    first, page = phone(browser)
    sign_in(page, live_server_url, "resident", demo)
    switch_on(page)
    page.locator("header .navbar-toggler").click()
    page.get_by_role("button", name="退出").click()
    first.close()

    second, page = phone(browser)
    page.goto(live_server_url + "/")
    assert not page.evaluate("document.documentElement.classList.contains('large-text')")
    sign_in(page, live_server_url, "resident", demo)
    assert page.evaluate("document.documentElement.classList.contains('large-text')")
    measure(page, "/", live_server_url)
    second.close()
