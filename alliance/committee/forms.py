"""Shapes of the committee's forms; the rules live in services."""

from datetime import date

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from alliance.activities.forms import LocalDateTimeField
from alliance.activities.models import CATEGORIES
from alliance.committee.models import DecisionState, MemberRole, Presence
from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l


class LocalDateField(StringField):
    """<input type="date">, read into `.day` with a Chinese message when it is not a date."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {})["type"] = "date"
        super().__init__(*args, **kwargs)
        self.day = None

    def pre_validate(self, form):
        self.day = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.day = date.fromisoformat(text)
        except ValueError:
            raise ValidationError(str(_l("请按“年-月-日”填写日期。"))) from None

    def set_day(self, day):
        self.data = day.isoformat() if day else ""


def _id_field(label):
    return StringField(
        label, validators=[Optional(), Length(max=10)], render_kw={"inputmode": "numeric"}
    )


PERSON_HELP = _l("姓名、手机号、用户名或卡号")


class MemberForm(Form):
    person = StringField(
        _l("委员"),
        validators=[DataRequired(message=_l("请填写委员的用户名或手机号。")), Length(max=40)],
        description=PERSON_HELP,
    )
    role = SelectField(_l("职务"), choices=choices([(r.value, r.label) for r in MemberRole]))
    merchant_id = SelectField(_l("代表的联盟商户（联络员、企业负责人）"), default="")
    term_start = LocalDateField(
        _l("任期开始"), validators=[DataRequired(message=_l("请填写任期开始日期。"))]
    )
    term_end = LocalDateField(_l("任期结束（可不填）"))
    submit = SubmitField(_l("加入委员会"))


class LiaisonForm(Form):
    person = StringField(
        _l("联络员"),
        validators=[DataRequired(message=_l("请填写联络员的用户名或手机号。")), Length(max=40)],
        description=PERSON_HELP,
    )
    term_start = LocalDateField(
        _l("任期开始"), validators=[DataRequired(message=_l("请填写任期开始日期。"))]
    )
    submit = SubmitField(_l("指定联络员"))


class ProposalForm(Form):
    title = StringField(
        _l("议题"), validators=[DataRequired(message=_l("请填写议题。")), Length(max=200)]
    )
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("提交议题"))


class ScheduleForm(Form):
    starts_at = LocalDateTimeField(
        _l("会议时间"), validators=[DataRequired(message=_l("请填写会议时间。"))]
    )
    place = StringField(
        _l("地点"), validators=[DataRequired(message=_l("请填写会议地点。")), Length(max=120)]
    )
    submit = SubmitField(_l("安排会议"))


class QuorumForm(Form):
    quorum = StringField(
        _l("法定人数比例（%，留空为过半数）"),
        validators=[Optional(), Length(max=3)],
        render_kw={"inputmode": "numeric"},
    )
    submit = SubmitField(_l("保存"))


class ScanForm(Form):
    card = StringField(
        _l("扫描或输入参会人的卡号"),
        validators=[DataRequired(message=_l("请扫描或输入卡号。")), Length(max=300)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters"},
    )
    submit = SubmitField(_l("签到"))


class TickForm(Form):
    status = SelectField(_l("出席情况"), choices=choices([(p.value, p.label) for p in Presence]))
    remark = StringField(_l("备注（不公开）"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("登记"))


class AgendaItemForm(Form):
    title = StringField(
        _l("议题"), validators=[DataRequired(message=_l("请填写议题。")), Length(max=200)]
    )
    note = StringField(_l("说明"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("加入议程"))


class DecisionForm(Form):
    text = TextAreaField(
        _l("决议内容"), validators=[DataRequired(message=_l("请填写决议内容。")), Length(max=2000)]
    )
    owner = StringField(
        _l("负责人"),
        validators=[Optional(), Length(max=40)],
        description=PERSON_HELP,
    )
    due_date = LocalDateField(_l("完成期限"))
    rule_version_id = SelectField(_l("通过的规则修改"), default="")
    proposal_id = SelectField(_l("对应的提议"), default="")
    help_request_id = _id_field(_l("关联工单编号"))
    project_id = _id_field(_l("关联项目编号"))
    commitment_id = _id_field(_l("关联承诺编号"))
    submit = SubmitField(_l("通过决议"))
    as_proposal = SubmitField(_l("记为下次会议的提议"))


class MinutesForm(Form):
    discussion = TextAreaField(_l("讨论情况"), validators=[Optional(), Length(max=20000)])
    recorder = StringField(
        _l("记录人"), validators=[Optional(), Length(max=40)], description=PERSON_HELP
    )
    reason = StringField(
        _l("修改原因（会议结束7天后必填）"), validators=[Optional(), Length(max=300)]
    )
    submit = SubmitField(_l("保存纪要"))


class StateForm(Form):
    state = SelectField(
        _l("进度"),
        choices=choices([(s.value, s.label) for s in DecisionState if s != DecisionState.OPEN]),
    )
    reason = StringField(_l("说明（撤销时必填）"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("更新进度"))


class RuleChangeForm(Form):
    summary = StringField(
        _l("改了什么"), validators=[DataRequired(message=_l("请写明改了什么。")), Length(max=200)]
    )
    effective_from = LocalDateField(
        _l("生效日期"), validators=[DataRequired(message=_l("请填写生效日期。"))]
    )
    points_per_hour = StringField(_l("每小时积分"), render_kw={"inputmode": "numeric"})
    emergency_percent = StringField(_l("应急倍率（%）"), render_kw={"inputmode": "numeric"})
    night_percent = StringField(_l("夜间倍率（%）"), render_kw={"inputmode": "numeric"})
    night_start_hour = StringField(_l("夜间开始时刻"), render_kw={"inputmode": "numeric"})
    night_end_hour = StringField(_l("夜间结束时刻"), render_kw={"inputmode": "numeric"})
    expiry_months = StringField(
        _l("有效期（月，留空为不过期）"), render_kw={"inputmode": "numeric"}
    )
    award_max = StringField(_l("一次赋分上限"), render_kw={"inputmode": "numeric"})
    points_per_yuan = StringField(_l("多少积分折合1元"), render_kw={"inputmode": "numeric"})
    exchange_item_max = StringField(_l("兑换项目积分上限"), render_kw={"inputmode": "numeric"})
    submit = SubmitField(_l("提交协调委员会"))


# One optional rate per activity kind, named rate_<code> so the service's field names match.
for _code, _label in CATEGORIES.items():
    setattr(
        RuleChangeForm,
        f"rate_{_code}",
        StringField(
            _l("%(kind)s每小时积分（留空按基本）", kind=_label),
            validators=[Optional(), Length(max=4)],
            render_kw={"inputmode": "numeric"},
        ),
    )
