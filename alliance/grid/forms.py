from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from alliance.formkit import Form
from alliance.i18n import lazy_gettext as _l


class VisitForm(Form):
    visited_on = DateField(_l("走访日期"), validators=[DataRequired(_l("请填写走访日期。"))])
    place = StringField(
        _l("住户或商户（如 3号楼2单元 王大爷）"),
        validators=[
            DataRequired(_l("请填写走访的住户或商户。")),
            Length(max=120, message=_l("最多 120 字。")),
        ],
    )
    note = TextAreaField(
        _l("情况记录"), validators=[Length(max=2000, message=_l("最多 2000 字。"))]
    )


class BusinessForm(Form):
    name = StringField(
        _l("商户名称"),
        validators=[
            DataRequired(_l("请填写商户名称。")),
            Length(max=80, message=_l("最多 80 字。")),
        ],
    )
    kind = StringField(
        _l("经营类别（如 理发店、五金店）"),
        validators=[Length(max=40, message=_l("最多 40 字。"))],
    )
    address = StringField(
        _l("地址（如 5号楼底商）"), validators=[Length(max=200, message=_l("最多 200 字。"))]
    )
    contact_name = StringField(
        _l("联系人"), validators=[Length(max=40, message=_l("最多 40 字。"))]
    )
    contact_phone = StringField(
        _l("联系电话"), validators=[Length(max=20, message=_l("最多 20 字。"))]
    )


class PlaceShopForm(Form):
    merchant_id = SelectField(
        _l("划入本网格的联盟商户"),
        validators=[DataRequired(_l("请选择本小区的联盟商户。"))],
        validate_choice=False,
    )
