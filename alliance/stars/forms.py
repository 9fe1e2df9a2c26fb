from wtforms import BooleanField, SubmitField

from alliance.formkit import Form
from alliance.i18n import lazy_gettext as _l


class CardStarForm(Form):
    show = BooleanField(_l("在我的志愿者卡页面上显示星级"))
    submit = SubmitField(_l("保存"))


class ButtonForm(Form):
    submit = SubmitField(_l("确定"))
