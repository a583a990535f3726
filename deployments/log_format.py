"""Structured JSON logs carrying the request id."""

import json
import logging
from datetime import UTC, datetime

from adapters.http.middleware import current_request_id


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": current_request_id(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str) -> None:
    """JSON lines on stderr for Parla's own loggers (Ray Serve formats its own)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    for name in ("adapters", "domain", "deployments"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
