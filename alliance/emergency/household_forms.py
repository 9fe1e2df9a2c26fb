"""Shapes of the household forms; the rules are in `alliance.emergency.households`."""

from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from alliance.emergency.household_models import CATEGORY_LABELS, NEED_LABELS, VisitResult
from alliance.formkit import CountField, Form, choices
from alliance.i18n import lazy_gettext as _l


class _Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HouseholdForm(Form):
    head_name = StringField(
        _l("户主姓名"),
        validators=[DataRequired(message=_l("请填写户主姓名（最多 40 字）。")), Length(max=40)],
    )
    categories = _Checkboxes(_l("类别（可多选）"), coerce=str, validate_choice=False)
    estate_id = SelectField(_l("小区"), default="")
    grid_id = SelectField(_l("网格"), default="")
    building = StringField(_l("楼栋"), validators=[Length(max=20)])
    unit_no = StringField(_l("单元"), validators=[Length(max=20)])
    room = StringField(_l("房号"), validators=[Length(max=20)])
    members = CountField(
        _l("家庭人数"), default=1, low=1, high=50, message=_l("家庭人数是 1 到 50 人。")
    )
    need_help_moving = CountField(
        _l("需要协助转移的人数"),
        default=0,
        low=0,
        high=50,
        message=_l("需要协助转移的人数在 0 到家庭人数之间。"),
    )
    contact_phone = StringField(
        _l("联系电话"), validators=[Length(max=20)], render_kw={"inputmode": "tel"}
    )
    needs = _Checkboxes(_l("特殊需求"), coerce=str, validate_choice=False)
    responsible = StringField(
        _l("包保责任人"),
        validators=[DataRequired(message=_l("请填写包保责任人的用户名或手机号。")), Length(max=40)],
        description=_l("姓名、手机号、用户名或卡号"),
    )
    deputy = StringField(
        _l("副责任人（可不填）"),
        validators=[Length(max=40)],
        description=_l("姓名、手机号、用户名或卡号"),
    )
    submit = SubmitField(_l("登记"))

    def offer(self, community) -> None:
        self.categories.choices = choices(list(CATEGORY_LABELS.items()))
        self.needs.choices = choices(list(NEED_LABELS.items()))
        self.estate_id.choices = choices(
            [("", _l("请选择"))] + [(str(e.id), e.name) for e in community.estates]
        )
        self.grid_id.choices = choices(
            [("", _l("不选"))] + [(str(g.id), g.name) for g in community.grids]
        )


class VisitForm(Form):
    result = RadioField(_l("走访结果"), validators=[DataRequired(message=_l("请选择走访结果。"))])
    reason = StringField(_l("原因（拒绝转移时必填）"), validators=[Length(max=200)])
    submit = SubmitField(_l("保存走访记录"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = choices([(r.value, r.label) for r in VisitResult])
