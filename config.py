"""Configuration for ODA Ideas, read from the environment.

`APP_ENV` chooses the class: development, test or production. It defaults to production,
which refuses to start without real settings; `make run` sets development. Every variable
is listed with its meaning in README.md.
"""

import os
from datetime import timedelta


class ConfigError(RuntimeError):
    """The environment does not describe a configuration that is safe to run."""


def env_str(name: str, default: str | None = None) -> str | None:
    """Return an environment variable, treating an empty value as unset."""
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_bool(name: str, default: bool) -> bool:
    """Parse a boolean strictly: true/false, yes/no, on/off or 1/0, else refuse to start."""
    raw = env_str(name)
    if raw is None:
        return default
    value = raw.lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Parse a whole number, or refuse to start with a message naming the variable."""
    raw = env_str(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None


def normalise_database_url(url: str) -> str:
    """Point PostgreSQL URLs at the psycopg 3 driver, whichever spelling a host gives us."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings shared by every environment; each can be set by an environment variable."""

    ENV_NAME = "base"

    SERVICE_NAME = env_str("SERVICE_NAME", "ODA Ideas")
    ODA_NAME = env_str("ODA_NAME", "Office of Data Analytics")
    SERVICE_PHASE = env_str("SERVICE_PHASE", "Beta")
    CONTACT_EMAIL = env_str("CONTACT_EMAIL", "oda@example.org")
    SERVER_TIMEZONE = "Europe/London"

    SECRET_KEY = env_str("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        env_str("DATABASE_URL", "sqlite:///oda-ideas.db")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SESSION_COOKIE_NAME = "oda_session"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=env_int("SESSION_LIFETIME_HOURS", 8))
    # A session lasts a fixed time from sign in. Refreshing the cookie on every response would
    # let a slow response (a stylesheet, say) that left before "Sign out" put the signed-in
    # cookie back after it, and costs a cookie signature on every request.
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Number of proxies in front of the app (load balancer, nginx); 0 when it faces users.
    PROXY_FIX_COUNT = env_int("PROXY_FIX_COUNT", 0)

    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = env_str("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SIGN_IN = env_str("RATELIMIT_SIGN_IN", "10 per minute;50 per hour")
    RATELIMIT_REGISTER = env_str("RATELIMIT_REGISTER", "5 per minute;30 per hour")
    RATELIMIT_PASSWORD_RESET = env_str("RATELIMIT_PASSWORD_RESET", "5 per minute;20 per hour")
    RATELIMIT_ACCOUNT_EMAILS = env_str("RATELIMIT_ACCOUNT_EMAILS", "5 per hour;20 per day")
    # Wrong current passwords when changing the password or deleting the account, per account
    # (one allowance for both forms): someone using a session left signed in cannot guess.
    RATELIMIT_PASSWORD_CHECK = env_str("RATELIMIT_PASSWORD_CHECK", "10 per hour;30 per day")
    # Every POST to those forms, mistakes included (app/rate_limits.py): keep it well above them.
    RATELIMIT_FORM_CEILING = env_str("RATELIMIT_FORM_CEILING", "30 per minute")
    # Report every limit broken, so that the page and Retry-After give the longest wait.
    RATELIMIT_FAIL_ON_FIRST_BREACH = False

    MAIL_BACKEND = env_str("MAIL_BACKEND", "smtp")  # smtp or console
    MAIL_SERVER = env_str("MAIL_SERVER", "localhost")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USERNAME = env_str("MAIL_USERNAME")
    MAIL_PASSWORD = env_str("MAIL_PASSWORD")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT_SECONDS = env_int("MAIL_TIMEOUT_SECONDS", 10)
    MAIL_DEFAULT_SENDER = env_str("MAIL_DEFAULT_SENDER", "ODA Ideas <no-reply@example.org>")

    # Links in emails must be absolute; behind a proxy set this to the public address.
    PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL")
    # Where people can read the source code's files, at the version deployed (a file's path is
    # added to it), so that public pages can link to the technical notes they cite.
    SOURCE_CODE_URL = env_str("SOURCE_CODE_URL")

    EMAIL_VERIFICATION_MAX_AGE = timedelta(days=3)
    PASSWORD_RESET_MAX_AGE = timedelta(hours=1)

    # Argon2id cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile).
    PASSWORD_HASH_TIME_COST = env_int("PASSWORD_HASH_TIME_COST", 3)
    PASSWORD_HASH_MEMORY_KIB = env_int("PASSWORD_HASH_MEMORY_KIB", 65536)
    PASSWORD_HASH_PARALLELISM = env_int("PASSWORD_HASH_PARALLELISM", 4)

    # Triage backend for clustering runs and evaluation: auto (sentence embeddings combined
    # with TF-IDF when the [embeddings] extra is installed), tfidf or embeddings.
    TRIAGE_BACKEND = env_str("TRIAGE_BACKEND", "auto")
    # The live "already posted?" index in every web worker. TF-IDF by default: with
    # embeddings, each worker's first look embeds every idea (about 40 a second on 2 cores).
    SIMILAR_BACKEND = env_str("SIMILAR_BACKEND", "tfidf")

    # Ideas one account may publish in 24 hours (pledge imports are not counted).
    IDEA_SUBMISSIONS_PER_DAY = env_int("IDEA_SUBMISSIONS_PER_DAY", 10)

    # How long each web worker keeps a window's ranking for the open data (app/opendata/
    # services.py): the most its formula ranks, scores and supporter counts can lag behind.
    # Which ideas are listed is never kept. 0 ranks the window on every request.
    OPENDATA_CACHE_SECONDS = env_int("OPENDATA_CACHE_SECONDS", 60)

    LOG_LEVEL = env_str("LOG_LEVEL", "INFO")

    @classmethod
    def validate(cls) -> None:
        """Refuse to start when a required setting is missing."""
        if not cls.SECRET_KEY:
            raise ConfigError("SECRET_KEY must be set (on a laptop, set APP_ENV=development)")
        if cls.MAIL_BACKEND not in {"smtp", "console"}:
            raise ConfigError("MAIL_BACKEND must be smtp or console")
        if cls.SOURCE_CODE_URL and not cls.SOURCE_CODE_URL.startswith(("https://", "http://")):
            raise ConfigError("SOURCE_CODE_URL must be a web address starting https://")


class DevelopmentConfig(Config):
    """A laptop: SQLite in instance/, emails printed to the console, plain-HTTP cookies."""

    ENV_NAME = "development"
    DEBUG = env_bool("FLASK_DEBUG", False)
    SECRET_KEY = env_str("SECRET_KEY", "development-only-secret-key-not-for-production")
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    MAIL_BACKEND = env_str("MAIL_BACKEND", "console")
    PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Trying the demo accounts one after another should not lock a developer out.
    RATELIMIT_SIGN_IN = env_str("RATELIMIT_SIGN_IN", "100 per minute")
    RATELIMIT_FORM_CEILING = env_str("RATELIMIT_FORM_CEILING", "300 per minute")
    # Seconds-long hashing on every demo sign-in helps nobody on a laptop.
    PASSWORD_HASH_MEMORY_KIB = env_int("PASSWORD_HASH_MEMORY_KIB", 19456)
    PASSWORD_HASH_TIME_COST = env_int("PASSWORD_HASH_TIME_COST", 2)
    PASSWORD_HASH_PARALLELISM = env_int("PASSWORD_HASH_PARALLELISM", 1)


class TestConfig(Config):
    """The test suite: every value pinned so that the developer's environment cannot leak in."""

    ENV_NAME = "test"
    TESTING = True
    SERVICE_NAME = "ODA Ideas"
    ODA_NAME = "Office of Data Analytics"
    SERVICE_PHASE = "Beta"
    CONTACT_EMAIL = "oda@example.org"
    SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
    SQLALCHEMY_DATABASE_URI = "sqlite:///:memory:"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    WTF_CSRF_ENABLED = True
    PROXY_FIX_COUNT = 0
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    # High enough that ordinary tests never trip them; the rate-limit tests lower them.
    RATELIMIT_SIGN_IN = "1000 per minute"
    RATELIMIT_REGISTER = "1000 per minute"
    RATELIMIT_PASSWORD_RESET = "1000 per minute"  # noqa: S105 - a rate, not a password
    RATELIMIT_ACCOUNT_EMAILS = "1000 per minute"
    RATELIMIT_PASSWORD_CHECK = "1000 per minute"  # noqa: S105 - a rate, not a password
    RATELIMIT_FORM_CEILING = "1000 per minute"
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "127.0.0.1"
    MAIL_PORT = 0  # the SMTP fixture sets the port of its in-process server
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_TIMEOUT_SECONDS = 5
    MAIL_DEFAULT_SENDER = "ODA Ideas <no-reply@example.org>"
    PUBLIC_BASE_URL = "http://localhost"  # links in emails; the tests read their paths
    SOURCE_CODE_URL = None
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 1024
    PASSWORD_HASH_PARALLELISM = 1
    IDEA_SUBMISSIONS_PER_DAY = 10
    OPENDATA_CACHE_SECONDS = 0  # every test sees what it just wrote; the cache's tests set it
    TRIAGE_BACKEND = "tfidf"  # the same in every test run, whatever extras are installed
    SIMILAR_BACKEND = "tfidf"
    LOG_LEVEL = "WARNING"


class ProductionConfig(Config):
    """A real deployment: no fallbacks for secrets or the database."""

    ENV_NAME = "production"

    @classmethod
    def validate(cls) -> None:
        """Production refuses to start without its own secret key and database."""
        super().validate()
        if not env_str("DATABASE_URL"):
            raise ConfigError("DATABASE_URL must be set in production "
                              "(on a laptop, set APP_ENV=development)")
        if not cls.PUBLIC_BASE_URL:
            raise ConfigError("PUBLIC_BASE_URL must be set in production (links in emails)")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    """Return the configuration class for an APP_ENV value."""
    key = (name or "production").strip().lower()
    if key not in CONFIGS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[key]
