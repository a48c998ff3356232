"""ODA Ideas: the application factory."""

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.extensions import csrf, db, limiter, login_manager, migrate
from config import Config, config_for

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MAX_ID = 2**31 - 1


def bounded_id(value: int | None) -> int | None:
    """An id from a form or the query string, or None when it could not be one (so that a
    huge number is "not found", never a database overflow)."""
    return value if value is not None and 0 < value <= MAX_ID else None


def create_app(config: str | type[Config] | None = None, overrides: dict[str, Any] | None = None):
    """Build the Flask application for a configuration name or class, plus optional overrides."""
    config_class = config if isinstance(config, type) else config_for(
        config or os.environ.get("APP_ENV")
    )
    config_class.validate()

    app = Flask(__name__, instance_path=str(PROJECT_ROOT / "instance"))
    app.config.from_object(config_class)
    app.config.update(overrides or {})
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A file never drops the connection: pinging it before every request is wasted time.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_pre_ping": False}
    os.makedirs(app.instance_path, exist_ok=True)

    configure_logging(app)
    register_templates(app)
    register_extensions(app)
    register_blueprints(app)
    register_security(app)
    register_errorhandlers(app)
    register_cli(app)
    if app.config["PROXY_FIX_COUNT"]:
        hops = app.config["PROXY_FIX_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    return app


def configure_logging(app: Flask) -> None:
    """Send the app's log lines to stderr at the configured level."""
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("app").setLevel(app.config["LOG_LEVEL"])


def register_templates(app: Flask) -> None:
    """Load our templates from templates/, and the GOV.UK macros from their packages."""
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    from app import filters
    from app.forms_common import form_error_summary
    from app.intake import kept

    filters.register(app)
    # Not "error_summary": pages import a macro of that name, which would shadow it in base.html.
    app.add_template_global(form_error_summary)
    app.add_template_global(kept.author_field, "kept_author_field")


def register_extensions(app: Flask) -> None:
    """Initialise the module-level extensions with this app."""
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    # Flask runs after-request hooks last registered first, so this one runs after the
    # limiter's: its headers say how much of each limit is left, but Retry-After on a
    # successful answer would tell clients and caches to wait when nothing was refused.
    app.after_request(_retry_after_only_when_refused)
    limiter.init_app(app)
    login_manager.init_app(app)

    from app import database
    from app.accounts import login

    database.register(app)
    login.register(login_manager)


def _retry_after_only_when_refused(response):
    if response.status_code not in (429, 503):
        response.headers.pop("Retry-After", None)
    return response


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in URLs, limited to ids a database column can hold: a longer number is a
    404, not a database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def register_blueprints(app: Flask) -> None:
    """One blueprint per feature."""
    app.url_map.converters["int"] = DatabaseIdConverter
    from app.accounts import bp as accounts_bp
    from app.admin import bp as admin_bp
    from app.intake import bp as intake_bp
    from app.main import bp as main_bp
    from app.opendata import bp as opendata_bp
    from app.organisations import bp as organisations_bp
    from app.review import bp as review_bp
    from app.triage import bp as triage_bp
    from app.voting import bp as voting_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(organisations_bp, url_prefix="/organisations")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(intake_bp)
    app.register_blueprint(voting_bp)
    app.register_blueprint(triage_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(opendata_bp)


def register_security(app: Flask) -> None:
    """Content Security Policy with a per-request nonce, and the other security headers."""
    from app import security

    security.register(app)


def register_errorhandlers(app: Flask) -> None:
    """GOV.UK-style pages for 400, 403, 404, 405, 429, 500 and expired forms."""
    from app.main import errors

    errors.register(app)


def register_cli(app: Flask) -> None:
    """Command-line tools: `flask users ...` and `flask seed-demo`."""
    from app import cli

    cli.register(app)
