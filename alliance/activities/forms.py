from datetime import datetime

from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from alliance.activities.models import CATEGORIES
from alliance.clock import LOCAL_TZ
from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l


class LocalDateTimeField(StringField):
    """<input type="datetime-local"> read as Asia/Shanghai and kept as aware UTC in `.moment`."""

    widget_type = "datetime-local"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {})["type"] = "datetime-local"
        super().__init__(*args, **kwargs)
        self.moment = None

    def pre_validate(self, form):
        self.moment = None
        text = (self.data or "").strip()
        if not text:
            return
        for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
            try:
                self.moment = datetime.strptime(text, fmt).replace(tzinfo=LOCAL_TZ)
                return
            except ValueError:
                continue
        raise ValidationError(str(_l("请按“年-月-日 时:分”填写时间。")))

    def set_moment(self, moment):
        self.data = moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M") if moment else ""


class EditActivityForm(Form):
    """An activity's own fields, corrected after publishing; its slots are not part of it."""

    title = StringField(
        _l("活动名称"), validators=[DataRequired(message=_l("请填写活动名称。")), Length(max=80)]
    )
    category = SelectField(_l("类别"))
    place = StringField(
        _l("地点"), validators=[DataRequired(message=_l("请填写活动地点。")), Length(max=120)]
    )
    description = TextAreaField(_l("活动说明"), validators=[Optional(), Length(max=2000)])
    project_id = SelectField(_l("所属项目（项目清单）"), coerce=int, default=0)
    emergency = BooleanField(_l("应急任务（按应急倍率计分）"))
    points_per_hour = StringField(
        _l("每小时积分（留空按社区规则）"),
        validators=[Optional(), Length(max=6)],
        render_kw={"inputmode": "numeric"},
        # Points are worked out when the hours are confirmed, and then kept.
        description=_l("修改每小时积分或应急任务只影响尚未确认的服务时长，已发放的积分不变。"),
    )
    insured = BooleanField(_l("已为参加的志愿者投保（保险）"))
    insurance_policy = StringField(
        _l("保险公司和保单号"),
        validators=[Optional(), Length(max=200)],
        description=_l("例如：某某保险 志愿者团体意外险 保单号 P2026…；报名前志愿者会看到"),
    )
    submit = SubmitField(_l("保存修改"))

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = choices(CATEGORIES.items())
        self.project_id.choices = choices(
            [(0, _l("不关联项目"))] + [(p.id, p.title) for p in projects]
        )


class ActivityForm(EditActivityForm):
    """Publishing: the activity's own fields and its first slot."""

    starts_at = LocalDateTimeField(
        _l("第一个时段开始"), validators=[DataRequired(message=_l("请填写开始时间。"))]
    )
    ends_at = LocalDateTimeField(
        _l("第一个时段结束"), validators=[DataRequired(message=_l("请填写结束时间。"))]
    )
    capacity = StringField(
        _l("人数上限"),
        validators=[DataRequired(message=_l("请填写人数上限。")), Length(max=6)],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("发布活动"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.points_per_hour.description = ""  # nothing is confirmed before publishing


class SlotForm(Form):
    starts_at = LocalDateTimeField(
        _l("开始时间"), validators=[DataRequired(message=_l("请填写开始时间。"))]
    )
    ends_at = LocalDateTimeField(
        _l("结束时间"), validators=[DataRequired(message=_l("请填写结束时间。"))]
    )
    capacity = StringField(
        _l("人数上限"),
        validators=[DataRequired(message=_l("请填写人数上限。")), Length(max=6)],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("添加时段"))


class ScanForm(Form):
    text = StringField(
        _l("扫志愿者卡或输入卡号"),
        validators=[DataRequired(message=_l("请扫码或输入卡号。")), Length(max=300)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
        description=_l("第一次扫码签到，第二次扫码签退"),
    )
    submit = SubmitField(_l("签到 / 签退"))


class TimesForm(Form):
    check_in = LocalDateTimeField(
        _l("签到时间"), validators=[DataRequired(message=_l("请填写签到时间。"))]
    )
    check_out = LocalDateTimeField(
        _l("签退时间"), validators=[DataRequired(message=_l("请填写签退时间。"))]
    )
    # Required by the service when the activity's day is over (补录).
    reason = StringField(_l("补录原因"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("保存时间"))


class ButtonForm(Form):
    """A POST with nothing but the CSRF token."""

    submit = SubmitField(_l("确定"))


class VisibilityForm(Form):
    show_name = BooleanField(_l("在排行榜上显示我的名字"))
    submit = SubmitField(_l("保存"))
