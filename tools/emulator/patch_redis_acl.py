"""Map the emulator's AUTH token and RBAC password changes onto a real redis-server's ACL.

Enabled when ``EMULATOR_REDIS_ACL=1``; the server is ``REDIS_HOST``/``REDIS_PORT`` (the endpoint every
emulated node reports). The ``default`` user holds the group's AUTH token(s) — one after create / SET,
two during ROTATE (``resetpass >old >new``), none (``nopass``) after DELETE — and each ElastiCache user
becomes an ACL user of the same name with its one or two passwords and its access string. The
emulator administers the server as its own ACL user (``EMULATOR_REDIS_ADMIN_PASSWORD``), created on
first use while ``default`` still needs no password.

Limits: one redis-server stands in for every group, so the last change wins (tests use one group at a
time); no TLS (the rotation function's ``VERIFY_TLS=off`` on the emulator).
"""

from __future__ import annotations

import logging
import os
import socket
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:  # patch_elasticache imports ministack: only the emulator's venv has it
    from tools.emulator.patch_elasticache import AuthTokenChange, UserPasswordChange

logger = logging.getLogger("emulator.redis_acl")
ADMIN_USER = "ecas-emulator-admin"


class RedisError(Exception):
    pass


def _encode(*args: str) -> bytes:
    out = [f"*{len(args)}\r\n".encode()]
    for arg in args:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def _reply(stream: BinaryIO) -> object:
    line = stream.readline()
    kind, rest = line[:1], line[1:-2].decode()
    if kind == b"+":
        return rest
    if kind == b"-":
        raise RedisError(rest.split(" ", 1)[0])  # the error code only: a message could echo an argument
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if rest == "-1" else stream.read(int(rest) + 2)[:-2].decode()
    if kind == b"*":
        return [_reply(stream) for _ in range(int(rest))]
    raise RedisError("PROTOCOL")


class AclAdmin:
    def __init__(self, host: str, port: int, password: str) -> None:
        self.host, self.port, self.password = host, port, password

    def _session(self) -> tuple[socket.socket, BinaryIO]:
        sock = socket.create_connection((self.host, self.port), timeout=5)
        return sock, sock.makefile("rb")

    def run(self, *commands: tuple[str, ...]) -> None:
        sock, stream = self._session()
        try:
            sock.sendall(_encode("AUTH", ADMIN_USER, self.password))
            try:
                _reply(stream)
            except RedisError:
                # first use: the admin user does not exist yet and default needs no password
                sock.sendall(
                    _encode("ACL", "SETUSER", ADMIN_USER, "on", f">{self.password}", "~*", "&*", "+@all")
                )
                _reply(stream)
                sock.sendall(_encode("AUTH", ADMIN_USER, self.password))
                _reply(stream)
            for command in commands:
                sock.sendall(_encode(*command))
                _reply(stream)
        finally:
            sock.close()


def token_rules(change: AuthTokenChange) -> tuple[str, ...]:
    if not change.valid_tokens:
        return ("ACL", "SETUSER", "default", "on", "resetpass", "nopass")
    return ("ACL", "SETUSER", "default", "on", "resetpass", *(f">{t}" for t in change.valid_tokens))


def user_rules(change: UserPasswordChange) -> tuple[str, ...]:
    name = change.user_name or change.user_id
    access = [r for r in (change.access_string or "on ~* +@all").split() if r]
    secrets = ["nopass"] if change.no_password_required else [f">{p}" for p in change.passwords]
    if not secrets:
        return ("ACL", "SETUSER", name, *access)
    return ("ACL", "SETUSER", name, *access, "resetpass", *secrets)


def install() -> None:
    if os.environ.get("EMULATOR_REDIS_ACL") != "1":
        return
    from tools.emulator import patch_elasticache

    admin = AclAdmin(
        os.environ.get("REDIS_HOST", "127.0.0.1"),
        int(os.environ.get("REDIS_PORT", "6379")),
        os.environ.get("EMULATOR_REDIS_ADMIN_PASSWORD", "emulator-admin-password"),
    )

    def on_token(change: AuthTokenChange) -> None:
        try:
            admin.run(token_rules(change))
        except (OSError, RedisError) as error:
            logger.warning(
                "redis ACL: AUTH token change of %s not applied: %s", change.replication_group_id, error
            )

    def on_user(change: UserPasswordChange) -> None:
        try:
            admin.run(user_rules(change))
        except (OSError, RedisError) as error:
            logger.warning("redis ACL: password change of %s not applied: %s", change.user_id, error)

    patch_elasticache.AUTH_TOKEN_HOOKS.append(on_token)
    patch_elasticache.USER_PASSWORD_HOOKS.append(on_user)
