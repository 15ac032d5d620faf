"""The system bench's recording proxy counts the Lambdas' calls without slowing them down (issue 15: its
alarm -> first call latency goes through it for every DynamoDB, CloudWatch, SSM, SNS and Step Functions
call)."""

import http.client
import statistics
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tools.system_bench import Recorder, start_proxy

ANSWER = b'{"Item": {"id": {"S": "x"}}}'
REQUEST = b'{"TableName": "state", "Key": {"id": {"S": "x"}}}'


class _Upstream(BaseHTTPRequestHandler):
    """A stand-in for the emulator that answers in one write, as ministack's server does."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)


@pytest.fixture
def proxy_port() -> Iterator[tuple[int, Recorder]]:
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    recorder = Recorder(upstream_port=upstream.server_address[1])
    proxy = start_proxy(recorder)
    yield proxy.server_address[1], recorder
    proxy.shutdown()
    upstream.shutdown()


def test_a_proxied_call_on_a_kept_alive_connection_is_not_held_by_delayed_acks(
    proxy_port: tuple[int, Recorder],
) -> None:
    """botocore keeps its connection alive; an answer written as headers, then body, waits for the client's
    delayed ACK (~40 ms on Linux) before the body leaves: every call took >= 40 ms. Answered in one write,
    a local call takes a few milliseconds (the bound leaves room for a loaded machine)."""
    port, recorder = proxy_port
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.GetItem",
        "Authorization": "AWS4-HMAC-SHA256 Credential=test/20261207/us-east-1/dynamodb/aws4_request",
    }
    took = []
    for _ in range(12):
        started = time.perf_counter()
        connection.request("POST", "/", body=REQUEST, headers=headers)
        answer = connection.getresponse()
        assert answer.read() == ANSWER
        took.append((time.perf_counter() - started) * 1000)
    connection.close()
    assert statistics.median(took[2:]) < 25, took
    calls = recorder.take()
    assert [(c.service, c.operation, c.status) for c in calls] == [("dynamodb", "GetItem", 200)] * 12
