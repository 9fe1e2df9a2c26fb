from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from alliance.commitments.drafting import CommitmentInput, OfferInput, ServiceInput
from alliance.commitments.models import (
    KIND_LABELS,
    PERIOD_LABELS,
    QUALIFIES_LABELS,
    CommitmentKind,
    Qualifies,
    UsagePeriod,
)
from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l
from alliance.stars import levels as star_levels


class CommitmentForm(Form):
    merchant_id = SelectField(_l("商户"), coerce=int, validators=[InputRequired()])
    kind = SelectField(
        _l("承诺类型"),
        choices=choices([(k.value, KIND_LABELS[k]) for k in CommitmentKind]),
        validators=[DataRequired(_l("请选择承诺类型。"))],
    )
    title = StringField(
        _l("标题"),
        validators=[DataRequired(_l("请填写承诺标题。")), Length(max=120)],
        description=_l("例如：持卡就餐享6.8折"),
    )
    body = TextAreaField(_l("承诺内容"), validators=[Length(max=2000)])

    has_offer = BooleanField(_l("包含折扣优惠"))
    rate = StringField(
        _l("折扣"),
        validators=[Length(max=20)],
        description=_l("例如 8.5折、8.5 或 85%（顾客支付的比例）"),
    )
    qualifies = SelectField(
        _l("适用的卡"),
        choices=choices([(q.value, QUALIFIES_LABELS[q]) for q in Qualifies]),
        default=Qualifies.BOTH.value,
    )
    conditions = TextAreaField(_l("使用条件"), validators=[Length(max=2000)])
    exclusions = TextAreaField(_l("不适用范围"), validators=[Length(max=2000)])
    valid_from = DateField(_l("开始日期"), validators=[Optional()])
    valid_until = DateField(_l("结束日期"), validators=[Optional()])
    usage_period = SelectField(
        _l("每张卡使用次数的周期"),
        choices=choices([(p.value, PERIOD_LABELS[p]) for p in UsagePeriod]),
        default=UsagePeriod.UNLIMITED.value,
    )
    usage_limit = IntegerField(
        _l("每个周期可用次数"),
        validators=[
            Optional(),
            NumberRange(min=1, max=1000, message=_l("请填1到1000之间的整数。")),
        ],
    )
    requires_rotating = BooleanField(
        _l("需出示动态码（防截图）"),
        description=_l(
            "勾选后，店员须扫描持卡人手机上实时刷新的动态码才能核销；"
            "打印的卡、截图等静态码不能享受这项优惠。"
        ),
    )

    open_to_street_office = BooleanField(
        _l("向全街道各社区的卡开放"),
        description=_l(
            "不勾选时，只有本社区发的卡可以享受；勾选后，同一街道其他社区的志愿者卡、"
            "共富联盟卡也可以享受。"
        ),
    )
    min_star_level = SelectField(
        _l("星级要求（仅志愿者卡）"),
        coerce=int,
        default=0,
        choices=choices([(0, _l("不限星级"))] + star_levels.choices()),
        description=_l(
            "例如“三星以上志愿者 7折”：持志愿者卡者须达到这个星级；共富联盟卡不适用星级。"
        ),
    )

    service_what = StringField(
        _l("服务内容"),
        validators=[Length(max=200)],
        description=_l("服务承诺必填，例如：免费中医义诊"),
    )
    service_when = StringField(
        _l("服务时间"), validators=[Length(max=120)], description=_l("例如：每月第一个周六上午")
    )
    service_where = StringField(_l("服务地点"), validators=[Length(max=200)])
    service_for_whom = StringField(_l("服务对象"), validators=[Length(max=200)])

    submit = SubmitField(_l("保存草稿"))

    def to_input(self) -> CommitmentInput:
        offer = None
        if self.has_offer.data:
            offer = OfferInput(
                rate=self.rate.data or "",
                qualifies=self.qualifies.data,
                conditions=self.conditions.data or "",
                exclusions=self.exclusions.data or "",
                valid_from=self.valid_from.data,
                valid_until=self.valid_until.data,
                usage_limit=self.usage_limit.data,
                usage_period=self.usage_period.data,
                requires_rotating=self.requires_rotating.data,
                open_to_street_office=self.open_to_street_office.data,
                min_star_level=self.min_star_level.data or None,
            )
        service = None
        if self.kind.data == CommitmentKind.SERVICE:
            service = ServiceInput(
                what=self.service_what.data or "",
                when_text=self.service_when.data or "",
                where=self.service_where.data or "",
                for_whom=self.service_for_whom.data or "",
            )
        return CommitmentInput(
            kind=self.kind.data,
            title=self.title.data or "",
            body=self.body.data or "",
            offer=offer,
            service=service,
        )

    def fill_from(self, commitment) -> None:
        self.merchant_id.data = commitment.merchant_id
        self.kind.data = commitment.kind
        self.title.data = commitment.title
        self.body.data = commitment.body
        offer = commitment.offer
        self.has_offer.data = offer is not None
        if offer is not None:
            self.rate.data = offer.rate_label
            self.qualifies.data = offer.qualifies
            self.conditions.data = offer.conditions
            self.exclusions.data = offer.exclusions
            self.valid_from.data = offer.valid_from
            self.valid_until.data = offer.valid_until
            self.usage_period.data = offer.usage_period
            self.usage_limit.data = offer.usage_limit
            self.requires_rotating.data = offer.requires_rotating
            self.open_to_street_office.data = offer.open_to_street_office
            self.min_star_level.data = offer.min_star_level or 0
        if commitment.service is not None:
            s = commitment.service
            self.service_what.data = s.what
            self.service_when.data = s.when_text
            self.service_where.data = s.where
            self.service_for_whom.data = s.for_whom


class ReasonForm(Form):
    reason = TextAreaField(
        _l("原因"), validators=[DataRequired(_l("请填写原因。")), Length(max=2000)]
    )
    submit = SubmitField(_l("确认"))


class NoteForm(Form):
    kept = SelectField(
        _l("是否践诺"),
        choices=choices([("yes", _l("已践诺")), ("no", _l("未践诺"))]),
        validators=[DataRequired()],
    )
    noted_on = DateField(_l("日期"), validators=[DataRequired(_l("请填写日期。"))])
    note = TextAreaField(_l("说明"), validators=[Length(max=2000)])
    submit = SubmitField(_l("记录践诺情况"))


class ReportForm(Form):
    text = TextAreaField(
        _l("情况说明"),
        validators=[
            DataRequired(_l("请把情况写清楚（至少5个字）。")),
            Length(min=5, max=2000, message=_l("请把情况写清楚（至少5个字，最多2000字）。")),
        ],
        description=_l("请写明时间、经过；您的个人信息不会公开。"),
    )
    submit = SubmitField(_l("提交反映"))


class HandleReportForm(Form):
    note = TextAreaField(
        _l("处理说明"), validators=[DataRequired(_l("请填写处理说明。")), Length(max=2000)]
    )
    submit = SubmitField(_l("标记为已处理"))
