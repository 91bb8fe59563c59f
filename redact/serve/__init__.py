"""``redact serve``: the redactor as an HTTP service (Starlette on uvicorn).

:func:`check_bind` refuses to listen beyond loopback without a token (or an explicit ``--no-auth``);
:class:`~redact.serve.app.Service` holds the loaded redactor and its engine thread;
:func:`~redact.serve.app.create_app` is the ASGI app; :func:`serve` runs it.

>>> check_bind("127.0.0.1", token=None, no_auth=False)
>>> check_bind("0.0.0.0", token=None, no_auth=False)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
BadInput: --host 0.0.0.0 is reachable from other machines: give --token TOKEN (or REDACT_TOKEN), or --no-auth
"""

from __future__ import annotations

import ipaddress
import logging

from ..errors import BadInput

__all__ = ["check_bind", "is_loopback", "serve"]


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost).

    >>> is_loopback("localhost"), is_loopback("::1"), is_loopback("0.0.0.0"), is_loopback("10.0.0.2")
    (True, True, False, False)
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def check_bind(host: str, token: str | None, no_auth: bool) -> None:
    """BadInput (exit 2) when ``host`` is reachable from elsewhere and neither a token nor ``no_auth``."""
    if token is not None and not token.strip():
        raise BadInput("--token must not be empty")
    if token and no_auth:
        raise BadInput("give --token or --no-auth, not both")
    if not is_loopback(host) and not token and not no_auth:
        raise BadInput(f"--host {host} is reachable from other machines: give --token TOKEN (or REDACT_TOKEN), "
                       f"or --no-auth")


def serve(redactor, host: str = "127.0.0.1", port: int = 8000, *, token: str | None = None,
          log_level: str = "info", graceful_s: float | None = None, **limits) -> None:
    """Serve ``redactor`` until SIGINT/SIGTERM (in-flight requests finish first). ``limits``: keywords of
    :class:`~redact.serve.app.Service` (max_bytes, max_pages, timeout, workers, wait_ms)."""
    import uvicorn

    from .app import Service, create_app

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s redact.serve %(levelname)s %(message)s"))
    logger = logging.getLogger("redact.serve")
    logger.addHandler(handler)
    logger.setLevel(log_level.upper())
    logger.propagate = False
    app = create_app(Service(redactor, token=token, **limits))
    # uvicorn stops gracefully on SIGINT/SIGTERM, then raises the signal again under the handler that was
    # there before it; a no-op handler here makes a requested stop exit 0 rather than die by the signal
    import signal

    stops: list[int] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stops.append(signum))
    # access_log off: our own line per request (counts and timings, never text) replaces it
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False, lifespan="on",
                timeout_graceful_shutdown=graceful_s, server_header=False)
