"""Shapes of the hazard forms; the rules are in `alliance.emergency.hazards`."""

from flask_wtf.file import MultipleFileField
from wtforms import (
    DecimalField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from alliance.committee.forms import LocalDateField
from alliance.emergency.hazard_models import CheckResult, HazardKind
from alliance.formkit import CountField, Form, choices
from alliance.i18n import lazy_gettext as _l


class PointForm(Form):
    kind = SelectField(_l("类型"))
    name = StringField(
        _l("名称"),
        validators=[DataRequired(message=_l("请填写隐患点名称（最多 80 字）。")), Length(max=80)],
    )
    estate_id = SelectField(_l("小区"), default="")
    grid_id = SelectField(_l("网格"), default="")
    latitude = DecimalField(
        _l("纬度（可不填）"),
        places=6,
        validators=[
            Optional(),
            NumberRange(min=-90, max=90, message=_l("纬度在 -90 到 90 之间。")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    longitude = DecimalField(
        _l("经度（可不填）"),
        places=6,
        validators=[
            Optional(),
            NumberRange(min=-180, max=180, message=_l("经度在 -180 到 180 之间。")),
        ],
        render_kw={"inputmode": "decimal"},
    )
    responsible = StringField(
        _l("包保责任人"), validators=[Length(max=40)], description=_l("姓名、手机号、用户名或卡号")
    )
    check_every_days = CountField(
        _l("汛期每几天检查一次"),
        default=7,
        low=1,
        high=365,
        message=_l("汛期检查间隔是 1 到 365 天。"),
    )
    description = TextAreaField(_l("说明"), validators=[Length(max=2000)])
    submit = SubmitField(_l("添加隐患点"))

    def offer(self, community) -> None:
        self.kind.choices = choices([(k.value, k.label) for k in HazardKind])
        self.estate_id.choices = choices(
            [("", _l("不选"))] + [(str(e.id), e.name) for e in community.estates]
        )
        self.grid_id.choices = choices(
            [("", _l("不选"))] + [(str(g.id), g.name) for g in community.grids]
        )


class EditPointForm(PointForm):
    submit = SubmitField(_l("保存修改"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "edit")
        super().__init__(*args, **kwargs)


class RetirePointForm(Form):
    reason = StringField(
        _l("停用原因"),
        validators=[DataRequired(message=_l("请写明停用原因（最多 200 字）。")), Length(max=200)],
        description=_l("例如：已拆除、已整治完毕不再是隐患"),
    )
    submit = SubmitField(_l("停用这个隐患点"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "retire")
        super().__init__(*args, **kwargs)


class RoundForm(Form):
    name = StringField(
        _l("排查名称"),
        validators=[DataRequired(message=_l("请填写排查名称（最多 80 字）。")), Length(max=80)],
        description=_l("例如：7月汛前排查"),
    )
    inspector = StringField(
        _l("排查人"),
        validators=[Length(max=40)],
        description=_l("用户名或手机号；不在有网格员的网格里的点由此人排查"),
    )
    submit = SubmitField(_l("开始排查"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "round")
        super().__init__(*args, **kwargs)


class CheckForm(Form):
    result = RadioField(
        _l("检查结果"),
        validators=[DataRequired(message=_l("请选择“正常”或“发现隐患”。"))],
    )
    note = TextAreaField(_l("说明（发现隐患时必填）"), validators=[Length(max=500)])
    photos = MultipleFileField(
        _l("照片（可选，最多 3 张，每张 5 MB 以内）"),
        render_kw={"accept": "image/*"},
    )
    submit = SubmitField(_l("保存检查结果"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.result.choices = choices([(r.value, r.label) for r in CheckResult])


class NoticeForm(Form):
    measure = TextAreaField(
        _l("整改措施"),
        validators=[DataRequired(message=_l("请填写整改措施（最多 500 字）。")), Length(max=500)],
    )
    money = StringField(_l("资金"), validators=[Length(max=120)])
    responsible = StringField(
        _l("整改责任人"),
        validators=[DataRequired(message=_l("请填写整改责任人。")), Length(max=40)],
        description=_l("姓名、手机号、用户名或卡号"),
    )
    deadline = LocalDateField(
        _l("整改期限"), validators=[DataRequired(message=_l("请填写整改期限。"))]
    )
    rechecker = StringField(
        _l("复查人"),
        validators=[DataRequired(message=_l("请填写复查人。")), Length(max=40)],
        description=_l("用户名或手机号；不能是整改责任人"),
    )
    submit = SubmitField(_l("保存整改通知书"))


class FixedForm(Form):
    note = TextAreaField(
        _l("整改情况"),
        validators=[
            DataRequired(message=_l("请写明做了哪些整改（最多 500 字）。")),
            Length(max=500),
        ],
    )
    submit = SubmitField(_l("报告整改完成"))


class RecheckForm(Form):
    passed = RadioField(
        _l("复查结果"),
        validators=[DataRequired(message=_l("请选择复查结果。"))],
    )
    note = TextAreaField(_l("复查说明（不通过时必填）"), validators=[Length(max=500)])
    submit = SubmitField(_l("保存复查结果"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passed.choices = choices([("yes", _l("通过，销号")), ("no", _l("不通过，退回整改"))])
