"""New credentials, generated to ElastiCache's rules for AUTH tokens and RBAC passwords.

Rules: 16-128 printable ASCII characters, no space, no ``"``, ``/`` or ``@``. We use 64 characters from
letters, digits and a few shell- and URL-safe specials, drawn with the ``secrets`` module.
"""

import secrets
import string

from pydantic import SecretStr

ALPHABET = string.ascii_letters + string.digits + "!&#$^<>-"
LENGTH = 64
MIN_LENGTH, MAX_LENGTH = 16, 128
FORBIDDEN = frozenset(' "/@')


def new_credential(length: int = LENGTH) -> SecretStr:
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise ValueError(f"length must be {MIN_LENGTH}-{MAX_LENGTH}")
    return SecretStr("".join(secrets.choice(ALPHABET) for _ in range(length)))


def follows_the_rules(value: str) -> bool:
    return (
        MIN_LENGTH <= len(value) <= MAX_LENGTH
        and all(c.isprintable() and c.isascii() for c in value)
        and not FORBIDDEN & set(value)
    )
