"""共富联盟 community alliance platform."""

import os

from flask import Flask

from alliance.config import check_production_config, config_for
from alliance.flask_app import Flask as AllianceFlask


def create_app(test_config: dict | None = None) -> Flask:
    app = AllianceFlask(
        __name__,
        template_folder="../templates",
        static_folder="../static",
        instance_relative_config=True,
    )
    app.config.from_object(config_for(os.environ.get("ALLIANCE_ENV")))
    if test_config:
        app.config.update(test_config)
    check_production_config(app.config)
    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    os.makedirs(app.instance_path, exist_ok=True)
    from alliance.stars.levels import init_app as check_star_levels

    check_star_levels(app)  # refuses to start with thresholds out of order

    from alliance.inputs import init_inputs

    init_inputs(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_view_edge(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from alliance import models  # noqa: F401  (every model registered before use)
    from alliance.assets import init_assets
    from alliance.audit import services as audit  # noqa: F401  (its mapper events record changes)
    from alliance.database import init_database
    from alliance.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
    from alliance.health import init_health
    from alliance.i18n import select_locale
    from alliance.rate_limits import check_only_where_limits_apply
    from alliance.security import init_security
    from alliance.sessions import (
        RememberedCookieSessions,
        remember_cookie_only_where_a_user_was_loaded,
    )

    app.session_interface = RememberedCookieSessions()
    db.init_app(app)
    init_database(app)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    login_manager.init_app(app)
    remember_cookie_only_where_a_user_was_loaded(app, login_manager)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    compress.init_app(app)
    limiter.init_app(app)
    check_only_where_limits_apply(app, limiter)
    init_security(app)
    from alliance.outages import log_limiter_outages

    log_limiter_outages()

    from alliance.celery_app import celery_init_app

    celery_init_app(app)
    init_assets(app)
    init_health(app)

    from alliance.accounts.login import configure_login

    configure_login(login_manager)


def register_blueprints(app: Flask) -> None:
    from alliance.blueprints import BLUEPRINTS

    for bp in BLUEPRINTS:
        app.register_blueprint(bp)


def register_template_helpers(app: Flask) -> None:
    from alliance.fragments import init_fragments
    from alliance.templating import init_templating

    init_templating(app)
    init_fragments(app)


def register_error_handlers(app: Flask) -> None:
    from alliance.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from alliance.cli import register_commands as register

    register(app)


def register_view_edge(app: Flask) -> None:
    from alliance.formkit import register_view_edge as register

    register(app)
