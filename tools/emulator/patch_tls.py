"""Every request to the emulator counts as sent over TLS (``aws:SecureTransport`` is ``true``).

The emulator listens on plain HTTP only, and under ``AUTH=true`` ministack evaluates ``aws:SecureTransport``
from the request's scheme, so the template's TLS-only bucket policy (``ObservationBucketPolicy``: deny
``s3:*`` when ``aws:SecureTransport`` is ``false``) would refuse every call the Lambdas make — on AWS the
SDKs always use HTTPS. With this patch that Deny never matches on the emulator: the tests exercise the
allow path (identity policies: Observe ``PutObject``, Decide ``GetObject``), not the TLS refusal.
"""

from __future__ import annotations

from ministack import app


def install() -> None:
    original = app.pin_request_origin

    def pin_as_tls(source_ip: str, secure_transport: bool) -> None:
        original(source_ip, True)

    app.pin_request_origin = pin_as_tls
