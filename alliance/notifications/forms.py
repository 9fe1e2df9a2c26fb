from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l
from alliance.notifications.broadcasts import AUDIENCES, BODY_MAX, TITLE_MAX


class PreferencesForm(Form):
    """The checkboxes are named inbox-<kind> and sms-<kind>; the view reads them per kind."""

    submit = SubmitField(_l("保存"))


class CreateBroadcastForm(Form):
    audience = SelectField(
        _l("发送范围"),
        choices=choices(AUDIENCES.items()),
        validate_choice=False,
        validators=[AnyOf(list(AUDIENCES), message=_l("请选择发送范围。"))],
    )
    estate_id = SelectField(_l("小区（选“某个小区”时）"), validators=[Optional()], coerce=str)
    grid_id = SelectField(_l("网格（选“某个网格”时）"), validators=[Optional()], coerce=str)
    title = StringField(
        _l("标题"),
        validators=[
            DataRequired(message=_l("请填写标题。")),
            Length(max=TITLE_MAX, message=_l("标题最多 %(max)d 个字。")),
        ],
    )
    body = TextAreaField(
        _l("内容"),
        validators=[Optional(), Length(max=BODY_MAX, message=_l("内容最多 %(max)d 个字。"))],
        render_kw={"rows": 4},
    )
    inbox = BooleanField(_l("站内消息"), default=True)
    sms = BooleanField(_l("短信"), description=_l("短信带社区签名；每条 70 字以内，超出分条。"))
    emergency = BooleanField(
        _l("紧急预警"), description=_l("紧急预警在夜间 22:00–07:00 也立即发短信。")
    )
    submit = SubmitField(_l("发送"))

    def offer(self, estates, grids) -> None:
        self.estate_id.choices = choices(
            [("", _l("请选择"))] + [(str(e.id), e.name) for e in estates]
        )
        self.grid_id.choices = choices([("", _l("请选择"))] + [(str(g.id), g.name) for g in grids])

    def target_id(self) -> int | None:
        raw = {"estate": self.estate_id.data, "grid": self.grid_id.data}.get(self.audience.data)
        return int(raw) if raw and str(raw).isdecimal() and len(str(raw)) < 10 else None
