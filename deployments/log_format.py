"""Structured JSON logs (python-json-logger) carrying the request id.

A line holds the time, level, logger, message and request id, every `extra` field the call
passed (the access line's method, route, status, latency_ms and user_id), and the traceback
or stack when the call asked for them. The request id is the one Ray Serve's own logs and
the X-Request-ID header carry, so a request's lines can be found across processes."""

import logging

from pythonjsonlogger.json import JsonFormatter

from adapters.http.middleware import current_request_id


class _RequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


def json_formatter() -> JsonFormatter:
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger", "exc_info": "exception"},
        timestamp="ts",
    )


def configure_logging(level: str) -> None:
    """JSON lines on stderr for Parla's own loggers (Ray Serve formats its own)."""
    handler = logging.StreamHandler()
    handler.setFormatter(json_formatter())
    handler.addFilter(_RequestId())
    for name in ("adapters", "domain", "deployments"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
