"""Password hashing with Argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from ipec.errors import DataError

__all__ = ["MIN_PASSWORD_LENGTH", "hash_password", "verify_password"]

MIN_PASSWORD_LENGTH = 10
_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    """The Argon2id hash of ``password``; refuses passwords shorter than 10 characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DataError(
            f"the password is shorter than {MIN_PASSWORD_LENGTH} characters",
            hint="choose a longer password (a sentence works well)",
        )
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; never raises for a wrong password."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
