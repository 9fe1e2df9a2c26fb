"""Chinese first; English per user (saved on the account) or per browser session.

Translations are looked up once per request. Flask-Babel finds the app context, the domain, the
locale (and its name) and the catalogue again on every call; a list page makes about 460 calls
(templates, form labels, lazy strings). `RequestDomain` keeps the request's catalogue on the
request's Babel context, tied to the locale object in use, so `force_locale` and `refresh()`
still switch languages; the templates' `_()` go straight to it.
"""

from functools import cache

from babel import Locale
from flask import current_app, g, has_request_context, session
from flask.globals import _cv_app
from flask_babel import Babel, Domain, get_locale, gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user
from markupsafe import Markup


def select_locale() -> Locale:
    return _parsed(_locale_name())


@cache
def _parsed(name: str) -> Locale:
    # Flask-Babel parses the selector's answer on every request unless it is a Locale already:
    # parsing "zh_CN" again was 1% of a signed-in list page under gunicorn (bench/RESULTS.md).
    return Locale.parse(name)


def _locale_name() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _request_translations():
    """The catalogue `RequestDomain` kept for this request's locale, or None."""
    app_ctx = _cv_app.get(None)  # what `g` resolves to, without the proxy's lookups
    ctx = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
    kept = getattr(ctx, "alliance_translations", None)
    if kept is not None and kept[0] is getattr(ctx, "babel_locale", None):
        return kept[1]
    return None


def request_locale_name() -> str:
    """str(get_locale()), remembered on the request's Babel context for the locale object in
    use (so `force_locale` still switches): a list page asks once per row."""
    app_ctx = _cv_app.get(None)
    ctx = app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:
        return str(get_locale())
    kept = getattr(ctx, "alliance_locale_name", None)
    if kept is not None and kept[0] is locale:
        return kept[1]
    ctx.alliance_locale_name = (locale, str(locale))
    return ctx.alliance_locale_name[1]


class RequestDomain(Domain):
    def get_translations(self):
        kept = _request_translations()
        if kept is not None:
            return kept
        translations = super().get_translations()
        ctx = g.get("_flask_babel") if g else None
        if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
            ctx.alliance_translations = (ctx.babel_locale, translations)
        return translations


class RequestLazyString(LazyString):
    """A lazy translation that remembers its text for the catalogue it came from.

    Labels are module constants read for every row of a list (kinds, states, categories): each
    `str()` of Flask-Babel's LazyString finds app, domain, locale and catalogue again (6 µs).
    This one answers from its own copy while the request's catalogue is the same object (the
    next request in the same language too); `force_locale` or another language changes it.
    """

    def __str__(self):
        kept = _request_translations()
        text = self.__dict__.get("_text")
        if kept is not None and text is not None and text[0] is kept:
            return text[1]
        text = super().__str__()
        kept = _request_translations()
        if kept is not None:
            self._text = (kept, text)
        return text


def lazy_gettext(string, **variables) -> LazyString:
    """flask_babel.lazy_gettext, remembering its text per catalogue (RequestLazyString)."""
    return RequestLazyString(gettext, string, **variables)


class RequestBabel(Babel):
    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        # Flask-Babel's domain_instance is a cached property: put ours in its place.
        domain = self.__dict__.setdefault(
            "domain_instance", RequestDomain(domain=app.extensions["babel"].default_domain)
        )

        # Jinja's own new-style gettext, minus the lookups between it and the catalogue.
        def template_gettext(__context, __string, **variables):
            rv = domain.get_translations().ugettext(__string)
            if __context.eval_ctx.autoescape:
                rv = Markup(rv)
            return rv % variables

        def template_ngettext(__context, __singular, __plural, __num, **variables):
            variables.setdefault("num", __num)
            rv = domain.get_translations().ungettext(__singular, __plural, __num)
            if __context.eval_ctx.autoescape:
                rv = Markup(rv)
            return rv % variables

        from jinja2 import pass_context

        app.jinja_env.globals.update(
            gettext=pass_context(template_gettext),
            _=pass_context(template_gettext),
            ngettext=pass_context(template_ngettext),
        )
