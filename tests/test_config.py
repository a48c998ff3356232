"""Configuration from the environment: strict parsing and no insecure production fallbacks."""

import importlib

import pytest

import config
from app import create_app


def reload_config(monkeypatch, **env):
    for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return importlib.reload(config)


@pytest.fixture(autouse=True)
def restore_config():
    yield
    importlib.reload(config)


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("YES", True), ("1", True),
                                               ("off", False), ("0", False), ("False", False)])
def test_booleans_are_parsed_strictly(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert config.env_bool("SOME_FLAG", not expected) is expected


@pytest.mark.parametrize("raw", ["ture", "enabled", "2"])
def test_unclear_booleans_stop_the_app(monkeypatch, raw):
    monkeypatch.setenv("SOME_FLAG", raw)
    with pytest.raises(config.ConfigError, match="SOME_FLAG must be true or false"):
        config.env_bool("SOME_FLAG", False)


def test_numbers_must_be_numbers(monkeypatch):
    # Reloading makes a new ConfigError class, so match on the name and message.
    with pytest.raises(Exception, match="MAIL_PORT must be a whole number") as raised:
        reload_config(monkeypatch, MAIL_PORT="twenty-five")
    assert type(raised.value).__name__ == "ConfigError"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    reloaded = reload_config(monkeypatch, DATABASE_URL="postgresql://db/oda",
                             PUBLIC_BASE_URL="https://ideas.example.gov.uk")
    with pytest.raises(reloaded.ConfigError, match="SECRET_KEY must be set"):
        create_app(reloaded.ProductionConfig)


def test_production_refuses_to_start_without_a_database_url(monkeypatch):
    reloaded = reload_config(monkeypatch, SECRET_KEY="s3cret-from-the-vault",
                             PUBLIC_BASE_URL="https://ideas.example.gov.uk")
    with pytest.raises(reloaded.ConfigError, match="DATABASE_URL must be set"):
        create_app(reloaded.ProductionConfig)


def test_production_starts_with_its_settings_and_secure_cookies(monkeypatch):
    reloaded = reload_config(monkeypatch, SECRET_KEY="s3cret-from-the-vault",
                             DATABASE_URL="postgres://oda@db.internal/oda",
                             PUBLIC_BASE_URL="https://ideas.example.gov.uk")
    app = create_app(reloaded.ProductionConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://oda@db.internal/oda"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


def test_the_source_code_address_must_be_a_web_address(monkeypatch):
    settings = dict(SECRET_KEY="s3cret-from-the-vault", DATABASE_URL="postgresql://db/oda",
                    PUBLIC_BASE_URL="https://ideas.example.gov.uk")
    reloaded = reload_config(monkeypatch, SOURCE_CODE_URL="javascript:alert(1)", **settings)
    with pytest.raises(reloaded.ConfigError, match="SOURCE_CODE_URL must be a web address"):
        create_app(reloaded.ProductionConfig)
    reloaded = reload_config(monkeypatch, SOURCE_CODE_URL="https://github.com/example/oda-ideas"
                             "/blob/main", **settings)
    app = create_app(reloaded.ProductionConfig)
    assert app.config["SOURCE_CODE_URL"] == "https://github.com/example/oda-ideas/blob/main"


def test_app_env_defaults_to_production_and_rejects_unknown_names():
    assert config.config_for(None) is config.ProductionConfig
    assert config.config_for("development") is config.DevelopmentConfig
    with pytest.raises(config.ConfigError, match="APP_ENV must be one of"):
        config.config_for("staging")


def test_development_uses_sqlite_in_the_instance_folder_and_the_console_for_email(monkeypatch):
    monkeypatch.delenv("MAIL_BACKEND", raising=False)
    reloaded = reload_config(monkeypatch)
    assert reloaded.DevelopmentConfig.SQLALCHEMY_DATABASE_URI == "sqlite:///oda-ideas.db"
    assert reloaded.DevelopmentConfig.MAIL_BACKEND == "console"
