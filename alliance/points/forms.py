from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l

NUMERIC = {"inputmode": "numeric", "autocomplete": "off"}


class RuleForm(Form):
    points_per_hour = StringField(
        _l("每小时积分"),
        validators=[DataRequired(message=_l("请填写每小时积分。"))],
        render_kw=NUMERIC,
    )
    emergency_percent = StringField(
        _l("应急任务倍率（%，200 即 2 倍）"),
        validators=[DataRequired(message=_l("请填写应急倍率。"))],
        render_kw=NUMERIC,
    )
    night_percent = StringField(
        _l("夜间服务倍率（%，150 即 1.5 倍）"),
        validators=[DataRequired(message=_l("请填写夜间倍率。"))],
        render_kw=NUMERIC,
    )
    night_start_hour = StringField(
        _l("夜间从几点开始（0–23）"),
        validators=[DataRequired(message=_l("请填写夜间开始时刻。"))],
        render_kw=NUMERIC,
    )
    night_end_hour = StringField(
        _l("夜间到几点结束（0–23）"),
        validators=[DataRequired(message=_l("请填写夜间结束时刻。"))],
        render_kw=NUMERIC,
    )
    expiry_months = StringField(
        _l("积分有效期（月，留空为永久有效）"),
        validators=[Optional(), Length(max=4)],
        render_kw=NUMERIC,
        description=_l("例如 12：积分在获得后第12个月的月底过期"),
    )
    submit = SubmitField(_l("保存规则"))


class AwardForm(Form):
    person = StringField(
        _l("志愿者（姓名、手机号、用户名或卡号）"),
        validators=[DataRequired(message=_l("请填写志愿者。")), Length(max=40)],
    )
    points = StringField(
        _l("积分"),
        validators=[DataRequired(message=_l("请填写积分。")), Length(max=8)],
        render_kw=NUMERIC,
    )
    reason = StringField(
        _l("原因"), validators=[DataRequired(message=_l("请写明原因。")), Length(max=200)]
    )
    key = HiddenField()
    submit = SubmitField(_l("赋分"))


class AdjustForm(AwardForm):
    points = StringField(
        _l("更正积分（扣减填负数，如 -20）"),
        validators=[DataRequired(message=_l("请填写积分。")), Length(max=8)],
        render_kw={"inputmode": "text", "autocomplete": "off"},
    )
    submit = SubmitField(_l("更正"))


class ItemForm(Form):
    commitment_id = SelectField(
        _l("积分兑换承诺"),
        coerce=int,
        invalid_choice_message=_l("请选择本店已公示的积分兑换承诺。"),
    )
    title = StringField(
        _l("兑换什么"), validators=[DataRequired(message=_l("请填写兑换什么。")), Length(max=80)]
    )
    description = StringField(_l("说明（选填）"), validators=[Optional(), Length(max=300)])
    points = StringField(
        _l("所需积分"),
        validators=[DataRequired(message=_l("请填写所需积分。")), Length(max=8)],
        render_kw=NUMERIC,
    )
    stock = StringField(
        _l("库存"),
        validators=[DataRequired(message=_l("请填写库存。")), Length(max=8)],
        render_kw=NUMERIC,
    )
    per_person_limit = StringField(
        _l("每人限兑次数（留空不限）"), validators=[Optional(), Length(max=5)], render_kw=NUMERIC
    )
    active = BooleanField(_l("上架"), default=True)
    submit = SubmitField(_l("保存"))

    def __init__(self, *args, commitments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.commitment_id.choices = choices(
            [(c.id, f"{c.merchant.name} · {c.title}") for c in commitments]
        )
