"""Password hashing (Argon2id) and the rules a new password must meet."""

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

MIN_LENGTH = 12
MAX_LENGTH = 256
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def hasher() -> PasswordHasher:
    """The Argon2id hasher with this deployment's cost settings."""
    config = current_app.config
    return _hasher(
        config["PASSWORD_HASH_TIME_COST"],
        config["PASSWORD_HASH_MEMORY_KIB"],
        config["PASSWORD_HASH_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Hash a password for storage."""
    return hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches the stored hash."""
    if not password_hash:
        return False
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when a hash was made with weaker settings than today's."""
    return hasher().check_needs_rehash(password_hash)


_DUMMY_HASH: dict[tuple, str] = {}


def burn_time_like_a_verification(password: str) -> None:
    """Spend the time a real check takes, so unknown emails cannot be told apart by timing."""
    config = current_app.config
    key = (config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"])
    if key not in _DUMMY_HASH:
        _DUMMY_HASH[key] = hash_password("not a real password, only for timing")
    verify_password(_DUMMY_HASH[key], password)


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Say what is wrong with a new password, in GOV.UK error-message style, or None."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.lower() in COMMON_PASSWORDS:
        return "Password is too common. Enter a password that is harder to guess"
    # zxcvbn also catches keyboard walks, repeats, dates and the person's own name or email.
    personal = [part for part in (email, email.split("@")[0], display_name) if part]
    if zxcvbn(password[:100], user_inputs=personal)["score"] < 3:
        return ("Password is too easy to guess. Try 3 random words, "
                "or add more words or characters")
    return None
