"""Shapes of the emergency forms; the rules (levels, who may, one running response) are in
services, so the CLI obeys them too."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from alliance.emergency.models import LEVELS, Kind, level_text
from alliance.formkit import choices


def level_choices():
    return choices([(level, level_text(level)) for level in LEVELS])


class StartResponseForm(FlaskForm):
    # "" is this community (secretary); a street officer chooses the office or one community.
    target = SelectField(_l("范围"), default="")
    kind = SelectField(
        _l("事件类型"),
        choices=choices([(k.value, k.label) for k in Kind]),
        validators=[DataRequired(message=_l("请选择事件类型。"))],
    )
    level = SelectField(
        _l("响应级别"),
        choices=level_choices(),
        validators=[DataRequired(message=_l("请选择响应级别。"))],
        description=_l("Ⅳ级最低，Ⅰ级最高。"),
    )
    reason = TextAreaField(
        _l("启动原因"),
        validators=[DataRequired(message=_l("请写明启动的原因。")), Length(max=500)],
    )
    drill = BooleanField(_l("这是演练（所有消息都会标明“演练”）"))
    submit = SubmitField(_l("启动应急响应"))


class ChangeLevelForm(FlaskForm):
    level = SelectField(
        _l("新的响应级别"),
        choices=level_choices(),
        validators=[DataRequired(message=_l("请选择响应级别。"))],
    )
    reason = TextAreaField(
        _l("调整原因"),
        validators=[DataRequired(message=_l("请写明调整的原因。")), Length(max=500)],
    )
    submit = SubmitField(_l("调整级别"))


class EndResponseForm(FlaskForm):
    summary = TextAreaField(
        _l("总结"),
        validators=[DataRequired(message=_l("终止应急响应请填写总结。")), Length(max=4000)],
        description=_l("出动人次、转移人数、处置的险情等，写给上级和居民看。"),
    )
    submit = SubmitField(_l("终止应急响应"))
