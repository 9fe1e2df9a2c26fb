from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from alliance.formkit import Form, choices, offer_estates
from alliance.i18n import lazy_gettext as _l
from alliance.validators import MainlandMobile


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class VolunteerApplicationForm(Form):
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=40)])
    phone = StringField(
        _l("手机号码"),
        validators=[DataRequired(), MainlandMobile()],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    estate_id = SelectField(
        _l("所在小区"),
        coerce=_optional_int,
        validators=[Optional()],
        invalid_value_message=_l("请选择本社区的小区。"),
        invalid_choice_message=_l("请选择本社区的小区。"),
    )
    building = StringField(
        _l("楼栋"), validators=[Optional(), Length(max=40)], description=_l("例如：3号楼2单元")
    )
    skills = TextAreaField(
        _l("特长"),
        validators=[Optional(), Length(max=300)],
        description=_l("例如：医护、法律、维修、教书、开车"),
    )
    availability = StringField(
        _l("可服务时间"),
        validators=[Optional(), Length(max=200)],
        description=_l("例如：周末全天、工作日晚上"),
    )
    submit = SubmitField(_l("提交申请"))

    def __init__(self, *args, estates=(), **kwargs):
        super().__init__(*args, **kwargs)
        offer_estates(self.estate_id, estates)


class ReasonForm(Form):
    reason = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("提交"))


class StatusForm(Form):
    action = SelectField(
        _l("操作"), validators=[DataRequired()], invalid_choice_message=_l("请选择操作。")
    )
    reason = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("确定"))

    def __init__(self, *args, suspended=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = choices(
            [("reinstate", _l("恢复志愿者资格"))]
            if suspended
            else [("suspend", _l("暂停志愿者资格"))]
        )
