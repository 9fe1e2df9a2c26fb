"""Domain exceptions and the error pages (HTML) or bodies (JSON)."""

import logging

from flask import Flask, jsonify, make_response, render_template, request
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from alliance.i18n import lazy_gettext as _l
from alliance.outages import is_unavailable, unavailable_response

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule said no: the one shape of every domain's refusal.

    `message` is for people (translated); `code` is stable, for the APIs and tests; `status` is
    the HTTP answer; `field` names the form field the message belongs to. A domain subclasses
    it and sets its defaults as class attributes (`code`, `status`); a raise overrides them:

        raise CardError(_l("这张卡不能使用这项优惠。"), code="offer_not_applicable")

    Views put it on the form (`alliance.formkit.run_form`); the APIs let it propagate to the
    one JSON handler below, which rolls back and answers `status` with the code and message.
    """

    code = "refused"
    status = 422
    field: str | None = None

    def __init__(
        self, message="", *, code: str | None = None, status: int | None = None, field=None
    ):
        super().__init__(str(message))
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        if field is not None:
            self.field = field


def wants_json() -> bool:
    path = request.path
    if path.startswith(("/api/", "/open311/")):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def json_error(status: int, message: str, detail=None):
    """The API error answer: `{"error": {"code", "message"[, "detail"]}}` and the status."""
    body = {"error": {"code": status, "message": message}}
    if detail is not None:
        body["error"]["detail"] = detail
    return jsonify(body), status


MESSAGES = {
    400: _l("请求有误，请检查后重试。"),
    403: _l("您没有权限访问这个页面。"),
    404: _l("找不到这个页面。"),
    405: _l("不支持这种操作方式。"),
    409: _l("当前状态下不能进行这个操作。"),
    413: _l("上传的内容太大了。"),
    422: _l("提交的内容无法处理。"),
    429: _l("操作太频繁了，请稍后再试。"),
    500: _l("服务器出了点问题，我们已经记录下来，请稍后再试。"),
}


def _message(code: int) -> str:
    return str(MESSAGES.get(code, MESSAGES[500]))


def register_error_handlers(app: Flask) -> None:
    from alliance.extensions import db

    def render(code: int, description: str | None = None):
        message = _message(code)
        if wants_json():
            return make_response(*json_error(code, message, description or None))
        try:
            html = render_template("errors/error.html", code=code, message=message)
        except Exception:  # the error page itself must never fail
            log.exception("Error page failed to render")
            html = f"<!doctype html><title>{code}</title><h1>{code}</h1><p>{message}</p>"
        return make_response(html, code)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        try:
            db.session.rollback()
        except SQLAlchemyError:
            log.debug("rollback after an error failed", exc_info=True)
        if exc.response is not None:  # e.g. a rate limit's own page (the login lockout)
            return exc.response
        code = exc.code or 500
        detail = exc.description if wants_json() and code in (400, 409, 422) else None
        response = render(code, detail)
        for name, value in exc.get_headers():
            if name.lower() in ("allow", "retry-after"):
                response.headers[name] = value
        return response

    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError):
        """A refusal nobody caught: the APIs' one error answer, or the error page."""
        db.session.rollback()
        if wants_json():
            return json_error(exc.status, exc.code, str(exc.message))
        return make_response(
            render_template("errors/error.html", code=exc.status, message=str(exc.message)),
            exc.status,
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        try:
            db.session.rollback()
        except SQLAlchemyError:  # the connection is gone; the pool discards it
            log.debug("rollback after an error failed", exc_info=True)
        if is_unavailable(exc):
            return unavailable_response()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        return render(500)
