"""Count the HTTP requests boto3 clients send (retries included), by ``service.Operation``.

A schedule tick reports them, so that a throttling storm shows as a count rather than a guess.
"""

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

EVENT = "before-send"


class _Client(Protocol):
    @property
    def meta(self) -> Any: ...


class CallCounter:
    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _count(self, event_name: str, **_kwargs: Any) -> None:
        # before-send.<service>.<Operation>
        _, service, operation = event_name.split(".", 2)
        with self._lock:
            self._counts[f"{service}.{operation}"] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(sorted(self._counts.items()))

    @contextmanager
    def watching(self, *clients: _Client) -> Iterator["CallCounter"]:
        """Count every request these clients send while in the block."""
        for client in clients:
            client.meta.events.register(EVENT, self._count, unique_id=f"call-count-{id(self)}")
        try:
            yield self
        finally:
            for client in clients:
                client.meta.events.unregister(EVENT, unique_id=f"call-count-{id(self)}")
