from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SubmitField


class CardStarForm(FlaskForm):
    show = BooleanField(_l("在我的志愿者卡页面上显示星级"))
    submit = SubmitField(_l("保存"))


class ButtonForm(FlaskForm):
    submit = SubmitField(_l("确定"))
