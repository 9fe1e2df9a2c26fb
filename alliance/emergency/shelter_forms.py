"""Shapes of the shelter forms; the rules are in `alliance.emergency.shelters`."""

from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from alliance.formkit import CountField, Form, choices
from alliance.i18n import lazy_gettext as _l


class ShelterForm(Form):
    name = StringField(
        _l("安置点名称"),
        validators=[DataRequired(message=_l("请填写安置点名称（最多 80 字）。")), Length(max=80)],
    )
    place = StringField(_l("地址"), validators=[Length(max=120)])
    capacity = CountField(
        _l("容纳人数"), low=1, high=100000, message=_l("容纳人数是 1 到 100000 的整数。")
    )
    contact_phone = StringField(
        _l("联系电话"), validators=[Length(max=20)], render_kw={"inputmode": "tel"}
    )
    offers = StringField(
        _l("提供"), validators=[Length(max=200)], description=_l("例如：床位、餐食、药品")
    )
    submit = SubmitField(_l("添加安置点"))


class TransferForm(Form):
    people = CountField(_l("转移人数"), low=1, high=500, message=_l("转移人数是 1 到 500 的整数。"))
    from_place = StringField(_l("从哪里转移"), validators=[Length(max=120)])
    household_id = SelectField(_l("重点人群户（可不选）"), default="")
    override = BooleanField(_l("书记确认超员安置"))
    submit = SubmitField(_l("登记转移"))


class ArrivalForm(Form):
    code = StringField(
        _l("户码或志愿者卡"),
        validators=[DataRequired(message=_l("请输入户码或扫描志愿者卡。")), Length(max=200)],
        description=_l("输入 6 位户码，或扫描、输入志愿者卡"),
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    submit = SubmitField(_l("登记到达"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "arrival")
        super().__init__(*args, **kwargs)


class ReturnForm(Form):
    reason = StringField(
        _l("提前返回的原因"),
        validators=[Length(max=200)],
        description=_l("应急响应未解除时，只有社区书记可以登记提前返回，并写明原因"),
    )
    submit = SubmitField(_l("登记返回"))


class SpaceOfferForm(Form):
    merchant_id = SelectField(_l("联盟商户"))
    kind = RadioField(
        _l("提供"),
        default="shelter",
        validators=[InputRequired(message=_l("请选择安置点或供餐点。"))],
    )
    capacity = CountField(
        _l("可安置人数或每天供餐份数"),
        low=1,
        high=100000,
        message=_l("人数或每天份数是 1 到 100000 的整数。"),
    )
    offers = StringField(
        _l("具体提供什么"),
        validators=[DataRequired(message=_l("请写明提供什么（最多 200 字）。")), Length(max=200)],
        description=_l("例如：客房 20 间、热水、充电；或每天盒饭 300 份"),
    )
    contact_phone = StringField(
        _l("值班电话"),
        validators=[DataRequired(message=_l("请填写正确的手机号码。")), Length(max=20)],
        render_kw={"inputmode": "tel"},
    )
    submit = SubmitField(_l("提供给社区"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(
            [("shelter", _l("安置点（住宿）")), ("meal_point", _l("供餐点"))]
        )


class DeclineOfferForm(Form):
    reason = StringField(
        _l("不接受的原因"),
        validators=[
            DataRequired(message=_l("请写明不接受的原因（最多 200 字）。")),
            Length(max=200),
        ],
    )
    submit = SubmitField(_l("不接受"))
