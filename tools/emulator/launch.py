"""Start ministack on 127.0.0.1 with the project's patches and the ``/_emulator`` admin endpoint.

Run with the emulator's venv (it imports ministack)::

    .venv-emulator/bin/python -m tools.emulator --port 4566 [--state-dir DIR]

See tools/emulator/README.md for the patches, the admin API and the environment variables.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from tools.emulator.admin import ADMIN_PREFIX, Receive, Scope, Send, handle_admin

logger = logging.getLogger("emulator")

LAYER_SOURCE = Path(__file__).resolve().parents[2] / "layers" / "autoscaler"

# What DESIGN §7 saw working; each can still be overridden from the environment.
_DEFAULT_ENV = {
    "AUTH": "true",
    "SFN_WAIT_SCALE": "0",
    "MINISTACK_REGION": "us-east-1",
    "REDIS_HOST": "127.0.0.1",
    "LOG_LEVEL": "WARNING",
}


def _prepare_environment(port: int, host: str, state_dir: Path | None) -> None:
    """Must run before ministack is imported: it reads its settings at import time."""
    os.environ["GATEWAY_PORT"] = str(port)
    os.environ["BIND_HOST"] = host
    for key, value in _DEFAULT_ENV.items():
        os.environ.setdefault(key, value)
    if state_dir is not None:
        tmp = state_dir / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        # ministack puts its ministack-lambda-* folders and pid file under the temp dir.
        os.environ["TMPDIR"] = str(tmp)
        tempfile.tempdir = None
        os.environ.setdefault("STATE_DIR", str(state_dir / "persist"))


def _import_layer_source() -> None:
    """Let this process import ``elasticache_autoscaler.catalog`` (standard library only) from the source.

    On ``sys.path``, not ``PYTHONPATH``: ministack's Lambda workers inherit the environment, and a
    function must find the package only in its built layer, as on Lambda.
    """
    if str(LAYER_SOURCE) not in sys.path:
        sys.path.append(str(LAYER_SOURCE))


def _apply_patches() -> None:
    from tools.emulator import (
        patch_cloudformation,
        patch_cloudwatch,
        patch_elasticache,
        patch_fleet,
        patch_lambda,
        patch_latency,
        patch_memcached,
        patch_redis_acl,
        patch_serverless,
        patch_stepfunctions,
        patch_tls,
    )

    patch_elasticache.install()
    patch_memcached.install()  # after patch_elasticache: it takes over Memcached's cache cluster calls
    patch_serverless.install()  # after patch_elasticache: serverless changes that take time
    patch_redis_acl.install()
    patch_lambda.install()
    patch_cloudwatch.install()
    patch_cloudformation.install()
    patch_stepfunctions.install()
    patch_tls.install()  # the TLS-only bucket policy: the emulator is plain HTTP
    patch_fleet.install()  # GetResources pages; the 500-group tick's fast paths (admin /fleet/...)
    patch_latency.install()  # after patch_lambda: it wraps patch_lambda's Worker.invoke


def _build_app() -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    from ministack import app as ministack_app

    inner = ministack_app.app

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(ADMIN_PREFIX + "/"):
            await handle_admin(scope, receive, send)
            return
        await inner(scope, receive, send)

    return app


async def _serve(port: int, host: str) -> None:
    from hypercorn.asyncio import serve  # type: ignore[import-not-found]  # emulator venv only
    from hypercorn.config import Config  # type: ignore[import-not-found]

    config = Config()
    config.bind = [f"{host}:{port}"]
    config.keep_alive_timeout = 75
    config.loglevel = os.environ.get("LOG_LEVEL", "WARNING")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await serve(_build_app(), config, shutdown_trigger=stop.wait)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("GATEWAY_PORT", "4566")))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--state-dir", type=Path, default=None, help="holds TMPDIR (Lambda code dirs)")
    args = parser.parse_args(argv)

    _prepare_environment(args.port, args.host, args.state_dir)
    _import_layer_source()
    _apply_patches()
    print(f"emulator listening on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    asyncio.run(_serve(args.port, args.host))


if __name__ == "__main__":
    main()
