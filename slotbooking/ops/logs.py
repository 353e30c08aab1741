"""Structured logs: one JSON object a line, each carrying the request id of the work it belongs to.

The id comes from a sane ``X-Request-ID`` or is made here, is echoed back in the response, and
travels into jobs in the task's headers, so one id ties a booking's request to the webhook
delivery a worker makes for it.
"""

import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar

from flask import Flask, g, request
from pythonjsonlogger.json import JsonEncoder, JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_MARK = "_slotbooking_handler"
request_log = logging.getLogger("slotbooking.request")


def current_request_id() -> str | None:
    """Return the request id of the work under way (a request or a job), if any."""
    return _request_id.get()


def bind_request_id(value: str | None):
    """Make value the current request id; return the token that restores the previous one."""
    return _request_id.set(value)


def unbind_request_id(token) -> None:
    _request_id.reset(token)


def sane_request_id(value: str | None) -> str:
    """Return value when it is a sane id (1-128 of letters, digits, ._:-), else a new one."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdJsonFormatter(JsonFormatter):
    """JSON lines with time, level, logger, message, the request id and any ``extra`` fields.

    Every request writes one, so two costs of the library's defaults are cut (the line is the
    same): the time, to the second, is formatted once a second, and the library's own encoder
    runs as ``default`` of the C encoder instead of as a Python subclass of it.
    """

    converter = time.gmtime

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("json_default", JsonEncoder().default)
        super().__init__(*args, **kwargs)
        self._second: tuple[int, str] | None = None

    def formatTime(self, record, datefmt=None) -> str:  # noqa: N802  (logging's name)
        if datefmt is None or "%f" in datefmt:  # not a whole-second format: nothing to reuse
            return super().formatTime(record, datefmt)
        second = int(record.created)
        kept = self._second
        if kept is None or kept[0] != second:
            kept = self._second = (second, super().formatTime(record, datefmt))
        return kept[1]

    def add_fields(self, log_record, record, message_dict) -> None:
        super().add_fields(log_record, record, message_dict)
        log_record.setdefault("request_id", current_request_id())


def log_handler(stream=None, fmt: str = "json") -> logging.Handler:
    """Return a handler writing our log lines to stream (default: standard error)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            RequestIdJsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                datefmt="%Y-%m-%dT%H:%M:%SZ",
            )
        )
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    setattr(handler, _MARK, True)
    return handler


def install_logging(logger: logging.Logger, fmt: str, level: str) -> None:
    """Give logger our handler once (not again when it or the root logger already has one)."""
    logger.setLevel(level.upper())
    for owner in (logger, logging.getLogger()):
        if any(getattr(h, _MARK, False) for h in owner.handlers):
            return
    logger.addHandler(log_handler(fmt=fmt))


def install_root_logging(fmt: str, level: str) -> None:
    """Log every logger's lines (a worker's too) through our handler on the root logger alone."""
    ours = logging.getLogger("slotbooking")
    ours.handlers = [h for h in ours.handlers if not getattr(h, _MARK, False)]
    install_logging(logging.getLogger(), fmt, level)


def init_logging(app: Flask) -> None:
    """Log JSON lines from the app's loggers, one per request, with the request id echoed back."""
    install_logging(logging.getLogger("slotbooking"), app.config["LOG_FORMAT"], app.config["LOG_LEVEL"])

    @app.before_request
    def _start():
        g.request_started = time.perf_counter()
        g.request_id = sane_request_id(request.headers.get(REQUEST_ID_HEADER))
        g.request_id_token = bind_request_id(g.request_id)

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id")
        if request_id is None:  # failed before our before_request ran
            return response
        response.headers[REQUEST_ID_HEADER] = request_id
        request_log.info(
            "request",
            extra={
                "method": request.method,
                "path": request.path,
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
            },
        )
        return response

    @app.teardown_request
    def _unbind(_error=None):
        token = g.pop("request_id_token", None)
        if token is not None:
            unbind_request_id(token)
