"""Small helpers shared by every domain's forms and the views that handle them."""

from collections.abc import Callable

from flask import Flask, flash, g, render_template, request
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, SelectChoice
from wtforms.form import BaseForm
from wtforms.validators import DataRequired, StopValidation

from alliance.errors import DomainError
from alliance.extensions import db
from alliance.i18n import lazy_gettext as _l
from alliance.inputs import parse_count


class Form(FlaskForm):
    """The base of every form on the site. Each form built during a request is remembered, so
    the view edge can tell a page shown again with errors from a fresh one (see
    `register_view_edge`), wherever the view put the error (a validator, a service's
    DomainError, a wrong password)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        g.setdefault("forms", []).append(self)


def _form_rejected() -> bool:
    return bool(g.get("form_rejected")) or any(
        form.is_submitted() and form.errors for form in g.get("forms", ())
    )


def register_view_edge(app: Flask) -> None:
    """One view edge for every HTML form: a POST that redirects answers 303 See Other (the
    browser fetches the next page with GET, never re-posts), and a POST whose form was rejected
    (invalid input or a DomainError put on the form) re-renders with 422, so a cashier system
    or a test tells "saved" from "shown again with errors" by the status alone."""

    @app.after_request
    def _view_edge(response):
        if request.method != "POST":
            return response
        if response.status_code == 302:
            response.status_code = 303
        elif response.status_code == 200 and response.mimetype == "text/html" and _form_rejected():
            response.status_code = 422
        return response


def conflict_page(exc: DomainError):
    """Someone else decided first (a second tab, a colleague at the same moment): 409 with
    the rule's sentence, nothing saved."""
    db.session.rollback()
    message = str(getattr(exc, "message", exc))
    return render_template("errors/error.html", code=409, message=message), 409


def choices(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as WTForms 3.3+ wants them."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


class CountField(IntegerField):
    """A whole count a person types (people, places, days): plain digits within low … high,
    read by `alliance.inputs.parse_count` (full-width digits are fine; "1e3", "+5", "2.5",
    "1 000" are not). Whatever is wrong, the field shows one message: `message`, which says
    the range ("转移人数是 1 到 500 的整数。"), never WTForms' "不是有效的整数" beside it.

    `required=False`: a field left out of the POST keeps its default (an empty box is still
    refused: it is no count)."""

    def __init__(self, label=None, *, low: int, high: int, message, required=True, **kwargs):
        render_kw = {"inputmode": "numeric", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, render_kw=render_kw, **kwargs)
        self.low, self.high, self.message, self.required = low, high, message, required
        if required:
            self.flags.required = True

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        value = parse_count(valuelist[0])
        self.data = int(value) if value is not None else None

    def pre_validate(self, form):
        if not self.raw_data and not self.required:
            return
        if self.data is None or not self.low <= self.data <= self.high:
            raise StopValidation(str(self.message))


def offer_estates(field: Field, estates) -> None:
    """Let `field` choose one of the community's `estates`; required when there are any."""
    field.choices = choices([("", _l("请选择"))] + [(e.id, e.name) for e in estates])
    if estates:
        field.validators = [DataRequired(message=_l("请选择所在小区。"))]
        field.flags.required = True


def rollback_and_report(
    exc: DomainError, form: BaseForm | None = None, *, field: str | None = None
) -> None:
    """Undo a service step that raised `exc` and show the user why.

    The message goes on the form field the error names (`exc.field`), else on `field`;
    without a form, or when the form has no such field, it is flashed instead.
    """
    db.session.rollback()
    g.form_rejected = True
    message = str(exc.message)
    name = exc.field or field
    target = getattr(form, name, None) if form is not None and name else None
    if target is not None:
        target.errors = [*target.errors, message]
    else:
        flash(message, "danger")


def save_form(form: FlaskForm, save: Callable, *, message: str, field: str | None = None):
    """Handle a submitted form the house way: when it validates, `save()` (a service call that
    flushes) runs and the request commits once and flashes `message`; a DomainError is rolled
    back and put on the form (see `rollback_and_report`). Returns what `save()` returned, or
    None when nothing was saved."""
    if not form.validate_on_submit():
        return None
    try:
        saved = save()
    except DomainError as exc:
        rollback_and_report(exc, form, field=field)
        return None
    db.session.commit()
    flash(message, "success")
    return saved
