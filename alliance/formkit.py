"""Small helpers shared by every domain's forms and the views that handle them."""

from collections.abc import Callable

from flask import flash, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, SelectChoice
from wtforms.validators import DataRequired

from alliance.errors import DomainError
from alliance.extensions import db


def conflict_page(exc: DomainError):
    """Someone else decided first (a second tab, a colleague at the same moment): 409 with
    the rule's sentence, nothing saved."""
    db.session.rollback()
    message = str(getattr(exc, "message", exc))
    return render_template("errors/error.html", code=409, message=message), 409


def choices(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as WTForms 3.3+ wants them."""
    return [SelectChoice(value, str(label)) for value, label in pairs]


def offer_estates(field: Field, estates) -> None:
    """Let `field` choose one of the community's `estates`; required when there are any."""
    field.choices = choices([("", _l("请选择"))] + [(e.id, e.name) for e in estates])
    if estates:
        field.validators = [DataRequired(message=_l("请选择所在小区。"))]
        field.flags.required = True


def rollback_and_report(
    exc: DomainError, form: Form | None = None, *, field: str | None = None
) -> None:
    """Undo a service step that raised `exc` and show the user why.

    The message goes on the form field the error names (`exc.field`), else on `field`;
    without a form, or when the form has no such field, it is flashed instead.
    """
    db.session.rollback()
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
