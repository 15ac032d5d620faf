"""Log in to the cache's data plane to prove a credential works (AUTH, then PING).

Three answers: True (logged in), False (reached the cache, credential refused) or None (no network path:
the function cannot reach the endpoint, e.g. it runs outside the cache's VPC).

redis-py (and the asyncio it imports) loads on the first login, not with the rotation function: one step of
a rotation logs in, every other cold start would pay its import for nothing.
"""

from typing import Protocol

from pydantic import SecretStr

CONNECT_TIMEOUT_SECONDS = 3.0


class LoginPort(Protocol):
    def logs_in(
        self, host: str, port: int, tls: bool, username: str | None, password: SecretStr
    ) -> bool | None: ...


class RedisLogin:
    def logs_in(
        self, host: str, port: int, tls: bool, username: str | None, password: SecretStr
    ) -> bool | None:
        import redis  # noqa: PLC0415 - see the module docstring

        client = redis.Redis(
            host=host,
            port=port,
            ssl=tls,
            username=username,
            password=password.get_secret_value(),
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=CONNECT_TIMEOUT_SECONDS,
            retry_on_timeout=False,
        )
        try:
            return bool(client.ping())
        except redis.AuthenticationError:
            return False
        except redis.ResponseError as error:
            # WRONGPASS / NOAUTH come back as response errors on some server versions
            return False if "WRONGPASS" in str(error) or "NOAUTH" in str(error) else None
        except (redis.ConnectionError, redis.TimeoutError, OSError):
            return None
        finally:
            client.close()
