"""Shapes of the emergency forms; the rules (levels, who may, one running response) are in
services, so the CLI obeys them too."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from alliance.activities.forms import LocalDateTimeField
from alliance.emergency.models import LEVELS, Kind, level_text
from alliance.formkit import CountField, Form, choices
from alliance.i18n import lazy_gettext as _l


def level_choices():
    return choices([(level, level_text(level)) for level in LEVELS])


class StartResponseForm(Form):
    # "" is this community (secretary); a street officer chooses the office or one community.
    target = SelectField(_l("范围"), default="")
    kind = SelectField(
        _l("事件类型"),
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # In the request's language: labels built at import time stayed Chinese in English.
        self.kind.choices = choices([(k.value, k.label) for k in Kind])


class ChangeLevelForm(Form):
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


class EndResponseForm(Form):
    summary = TextAreaField(
        _l("总结"),
        validators=[DataRequired(message=_l("终止应急响应请填写总结。")), Length(max=4000)],
        description=_l("出动人次、转移人数、处置的险情等，写给上级和居民看。"),
    )
    submit = SubmitField(_l("终止应急响应"))


class PartyForm(Form):
    status = SelectField(_l("政治面貌"), default="")
    branch = StringField(_l("所在党支部"), validators=[Length(max=80)])
    show_on_card = BooleanField(_l("在我的志愿者卡上亮明身份"))
    submit = SubmitField(_l("保存"))


class TaskForceForm(Form):
    name = StringField(
        _l("队伍名称"),
        validators=[DataRequired(message=_l("请填写队伍名称（最多 60 字）。")), Length(max=60)],
    )
    kind = SelectField(_l("队伍类型"))
    leader = StringField(
        _l("队长"),
        validators=[DataRequired(message=_l("请填写队长的用户名或手机号。")), Length(max=40)],
        description=_l("姓名、手机号、用户名或卡号"),
    )
    members = TextAreaField(
        _l("队员"), validators=[Length(max=4000)], description=_l("每行一个用户名或手机号")
    )
    submit = SubmitField(_l("组建队伍"))


class AddMemberForm(Form):
    person = StringField(
        _l("队员"),
        validators=[DataRequired(message=_l("请填写队员的用户名或手机号。")), Length(max=40)],
        description=_l("姓名、手机号、用户名或卡号"),
    )
    submit = SubmitField(_l("加入队伍"))


class CallUpForm(Form):
    assembly_point = StringField(
        _l("集合地点"),
        validators=[DataRequired(message=_l("请填写集合地点（最多 120 字）。")), Length(max=120)],
    )
    task = TextAreaField(_l("任务"), validators=[Length(max=300)])
    submit = SubmitField(_l("发出集结令"))


class AnswerForm(Form):
    reason = StringField(_l("不能到的原因"), validators=[Length(max=200)])
    coming = SubmitField(_l("到"))
    cannot = SubmitField(_l("不能到"))


class CheckInForm(Form):
    card = StringField(
        _l("扫描或输入队员的志愿者卡号"),
        validators=[DataRequired(message=_l("请扫描或输入卡号。")), Length(max=300)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    submit = SubmitField(_l("报到"))


class PostForm(Form):
    kind = SelectField(_l("类型"))
    name = StringField(
        _l("名称"),
        validators=[DataRequired(message=_l("请填写名称（最多 60 字）。")), Length(max=60)],
    )
    estate_ids = SelectMultipleField(_l("覆盖的小区"), coerce=str, validate_choice=False)
    grid_ids = SelectMultipleField(_l("覆盖的网格"), coerce=str, validate_choice=False)
    hazard_points = TextAreaField(
        _l("隐患点"), validators=[Length(max=2000)], description=_l("每行一个")
    )
    place = StringField(_l("地点（先锋岗）"), validators=[Length(max=120)])
    duty = StringField(_l("职责（先锋岗）"), validators=[Length(max=300)])
    responsible = StringField(
        _l("包保责任人"),
        validators=[Length(max=40)],
        description=_l("用户名或手机号；可以稍后指定"),
    )
    submit = SubmitField(_l("添加"))


class ResponsibleForm(Form):
    responsible = StringField(
        _l("包保责任人"),
        validators=[DataRequired(message=_l("请填写包保责任人的用户名或手机号。")), Length(max=40)],
        description=_l("姓名、手机号、用户名或卡号"),
    )
    submit = SubmitField(_l("指定"))


class ShiftForm(Form):
    starts_at = LocalDateTimeField(
        _l("开始时间"), validators=[DataRequired(message=_l("请填写开始时间。"))]
    )
    hours = CountField(
        _l("时长（小时）"),
        default=12,
        low=1,
        high=24,
        required=False,
        message=_l("每班 1 到 24 小时。"),
    )
    place = StringField(_l("值班地点"), validators=[Length(max=120)])
    leader = StringField(
        _l("带班领导"), validators=[Length(max=40)], description=_l("姓名、手机号、用户名或卡号")
    )
    people = TextAreaField(
        _l("值班人员"), validators=[Length(max=2000)], description=_l("每行一个用户名或手机号")
    )
    submit = SubmitField(_l("排班"))


class SignOnForm(Form):
    card = StringField(
        _l("扫描或输入值班人员的卡号"),
        validators=[DataRequired(message=_l("请扫描或输入卡号。")), Length(max=300)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    submit = SubmitField(_l("签到"))


class HandoverForm(Form):
    note = TextAreaField(
        _l("交接班记录"),
        validators=[DataRequired(message=_l("请填写交接班记录。")), Length(max=2000)],
    )
    submit = SubmitField(_l("交班"))


class ImportAlertForm(Form):
    file = FileField(
        _l("CAP 1.2 预警文件（.xml）"),
        validators=[FileRequired(message=_l("请选择预警文件。"))],
    )
    submit = SubmitField(_l("导入并转发"))


class WriteAlertForm(Form):
    event = StringField(
        _l("事件"),
        validators=[DataRequired(message=_l("请填写事件（最多 100 字）。")), Length(max=100)],
        description=_l("例如：暴雨、山洪、内涝"),
    )
    urgency = SelectField(_l("紧迫程度"))
    severity = SelectField(_l("严重程度"))
    certainty = SelectField(_l("确定程度"))
    headline = StringField(
        _l("标题"), validators=[DataRequired(message=_l("请填写标题。")), Length(max=56)]
    )
    description = TextAreaField(_l("说明"), validators=[Length(max=2000)])
    instruction = TextAreaField(_l("应对要求"), validators=[Length(max=2000)])
    estate_ids = SelectMultipleField(_l("区域：小区"), coerce=str, validate_choice=False)
    grid_ids = SelectMultipleField(_l("区域：网格"), coerce=str, validate_choice=False)
    expires_at = LocalDateTimeField(
        _l("失效时间"), validators=[DataRequired(message=_l("请填写失效时间。"))]
    )
    drill = BooleanField(_l("这是演练（所有消息都会标明“演练”）"))
    submit = SubmitField(_l("提交审核"))


class AckForm(Form):
    answer = SelectField(_l("回执"))
