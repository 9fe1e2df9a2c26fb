"""Shapes of the shelter forms; the rules are in `alliance.emergency.shelters`."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from alliance.formkit import Form


class ShelterForm(Form):
    name = StringField(
        _l("安置点名称"),
        validators=[DataRequired(message=_l("请填写安置点名称（最多 80 字）。")), Length(max=80)],
    )
    place = StringField(_l("地址"), validators=[Length(max=120)])
    capacity = IntegerField(
        _l("容纳人数"),
        validators=[
            InputRequired(message=_l("容纳人数是 1 到 100000 的整数。")),
            NumberRange(min=1, max=100000, message=_l("容纳人数是 1 到 100000 的整数。")),
        ],
    )
    contact_phone = StringField(
        _l("联系电话"), validators=[Length(max=20)], render_kw={"inputmode": "tel"}
    )
    offers = StringField(
        _l("提供"), validators=[Length(max=200)], description=_l("例如：床位、餐食、药品")
    )
    submit = SubmitField(_l("添加安置点"))


class TransferForm(Form):
    people = IntegerField(
        _l("转移人数"),
        validators=[
            InputRequired(message=_l("转移人数是 1 到 500 的整数。")),
            NumberRange(min=1, max=500, message=_l("转移人数是 1 到 500 的整数。")),
        ],
    )
    from_place = StringField(_l("从哪里转移"), validators=[Length(max=120)])
    household_id = SelectField(_l("重点人群户（可不选）"), default="")
    override = BooleanField(_l("书记确认超员安置"))
    submit = SubmitField(_l("登记转移"))
