"""Chinese first; English per user (saved on the account) or per browser session.

Translations are looked up once per request. Flask-Babel finds the app context, the domain, the
locale (and its name) and the catalogue again on every call; a list page makes about 460 calls
(templates, form labels, lazy strings). `RequestDomain` keeps the request's catalogue on the
request's Babel context, tied to the locale object in use, so `force_locale` and `refresh()`
still switch languages; the templates' `_()` go straight to it.
"""

from flask import current_app, g, has_request_context, session
from flask_babel import Babel, Domain
from flask_login import current_user
from markupsafe import Markup


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("locale")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


class RequestDomain(Domain):
    def get_translations(self):
        ctx = g.get("_flask_babel") if g else None
        if ctx is not None:
            kept = getattr(ctx, "alliance_translations", None)
            if kept is not None and kept[0] is getattr(ctx, "babel_locale", None):
                return kept[1]
        translations = super().get_translations()
        ctx = g.get("_flask_babel") if g else None
        if ctx is not None and getattr(ctx, "babel_locale", None) is not None:
            ctx.alliance_translations = (ctx.babel_locale, translations)
        return translations


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
