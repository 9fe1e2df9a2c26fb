from wtforms import DateField, StringField, TextAreaField
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
