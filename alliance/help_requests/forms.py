"""Forms check the shape; the rules live in services and the workflow."""

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from alliance.formkit import Form, choices
from alliance.help_requests.models import (
    CONTACT_LABELS,
    URGENCY_LABELS,
)
from alliance.i18n import lazy_gettext as _l
from alliance.projects.models import PROJECT_STATUS_LABELS


class RequestForm(Form):
    category_id = SelectField(
        _l("服务类别"), validators=[InputRequired(_l("请选择服务类别。"))], validate_choice=False
    )
    title = StringField(
        _l("一句话说明需求"),
        validators=[
            DataRequired(_l("请用一句话说明需求。")),
            Length(max=80, message=_l("标题不能超过 80 字。")),
        ],
        description=_l(
            "公开页面只显示服务类别、小区和社区书记审定的一句摘要；"
            "您写的标题、详情、联系方式和照片都不公开。"
        ),
    )
    description = TextAreaField(
        _l("详细情况"),
        validators=[Optional(), Length(max=4000, message=_l("描述不能超过 4000 字。"))],
    )
    estate_id = SelectField(_l("小区"), validators=[Optional()], validate_choice=False)
    building = StringField(
        _l("楼栋和单元"),
        validators=[Optional(), Length(max=60)],
        description=_l("例如：3号楼2单元"),
    )
    shop_id = SelectField(_l("或者：联盟商户门店"), validators=[Optional()], validate_choice=False)
    business_id = SelectField(
        _l("或者：网格内的其他商户（网格员代办）"), validators=[Optional()], validate_choice=False
    )
    urgency = SelectField(
        _l("紧急程度"),
        choices=choices(URGENCY_LABELS.items()),
        default="normal",
        validate_choice=False,
    )
    contact_method = SelectField(
        _l("怎么联系您"),
        choices=choices(CONTACT_LABELS.items()),
        default="phone",
        validate_choice=False,
    )
    contact_phone = StringField(
        _l("联系电话"),
        validators=[Optional(), Length(max=20)],
        description=_l("不填则用账号绑定的手机号"),
    )
    on_behalf_name = StringField(
        _l("代办住户姓名（网格员填写）"), validators=[Optional(), Length(max=40)]
    )
    on_behalf_phone = StringField(_l("代办住户电话"), validators=[Optional(), Length(max=20)])
    photo = FileField(_l("照片（可选，5 MB 以内）"))
    submit = SubmitField(_l("提交需求"))


class ActionForm(Form):
    version = HiddenField()
    note = TextAreaField(_l("说明"), validators=[Optional(), Length(max=500)])
    provider = HiddenField()
    rating = SelectField(
        _l("评分"),
        choices=choices([(str(n), "★" * n) for n in range(5, 0, -1)]),
        validators=[Optional()],
    )


class CategoryForm(Form):
    code = StringField(
        _l("编码（Open311 service_code，创建后不可改）"), validators=[Optional(), Length(max=32)]
    )
    name = StringField(
        _l("类别名称"), validators=[DataRequired(_l("请填写类别名称。")), Length(max=40)]
    )
    description = StringField(_l("说明"), validators=[Optional(), Length(max=300)])
    group = StringField(_l("分组"), validators=[Optional(), Length(max=40)])
    keywords = StringField(_l("关键词（逗号分隔）"), validators=[Optional(), Length(max=200)])
    match_skills = StringField(
        _l("派单：匹配的志愿者技能（逗号分隔，最合适的放前面）"),
        validators=[Optional(), Length(max=300)],
        description=_l("例如：陪同就医,医护急救"),
    )
    match_services = StringField(
        _l("派单：匹配的商户服务承诺关键词（逗号分隔）"),
        validators=[Optional(), Length(max=300)],
        description=_l("商户公开的服务承诺里有这些词，就推荐给这类工单。"),
    )
    limit_normal_hours = IntegerField(
        _l("一般：响应时限（小时）"),
        validators=[
            InputRequired(_l("请填写时限。")),
            NumberRange(1, 1440, _l("时限须在 1 到 1440 小时之间。")),
        ],
    )
    limit_urgent_hours = IntegerField(
        _l("紧急：响应时限（小时）"),
        validators=[
            InputRequired(_l("请填写时限。")),
            NumberRange(1, 1440, _l("时限须在 1 到 1440 小时之间。")),
        ],
    )
    limit_emergency_hours = IntegerField(
        _l("特急：响应时限（小时）"),
        validators=[
            InputRequired(_l("请填写时限。")),
            NumberRange(1, 1440, _l("时限须在 1 到 1440 小时之间。")),
        ],
    )
    active = BooleanField(_l("启用"), default=True)
    submit = SubmitField(_l("保存"))


class UnitForm(Form):
    name = StringField(
        _l("单位名称"), validators=[DataRequired(_l("请填写单位名称。")), Length(max=80)]
    )
    kind = StringField(
        _l("单位类型"),
        validators=[Optional(), Length(max=40)],
        description=_l("例如：环保企业、律师事务所"),
    )
    services = StringField(_l("能提供的服务"), validators=[Optional(), Length(max=300)])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=40)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=20)])
    active = BooleanField(_l("合作中"), default=True)
    submit = SubmitField(_l("保存"))


class ResourceForm(Form):
    provider = SelectField(_l("提供方"), validators=[InputRequired(_l("请选择资源提供方。"))])
    team_name = StringField(
        _l("志愿服务队名称（提供方选志愿服务队时填写）"), validators=[Optional(), Length(max=80)]
    )
    category_code = SelectField(_l("服务类别"), validators=[InputRequired(_l("请选择服务类别。"))])
    title = StringField(
        _l("能提供什么"), validators=[DataRequired(_l("请填写能提供什么。")), Length(max=120)]
    )
    details = TextAreaField(_l("详细说明"), validators=[Optional(), Length(max=500)])
    capacity = StringField(
        _l("服务能力"),
        validators=[Optional(), Length(max=120)],
        description=_l("例如：每月2场，每场30人"),
    )
    submit = SubmitField(_l("登记资源"))


class ProjectForm(Form):
    title = StringField(
        _l("项目名称"), validators=[DataRequired(_l("请填写项目名称。")), Length(max=120)]
    )
    category_code = SelectField(_l("服务类别"), validators=[Optional()])
    summary = TextAreaField(_l("项目内容"), validators=[Optional(), Length(max=500)])
    schedule = StringField(
        _l("安排"),
        validators=[Optional(), Length(max=300)],
        description=_l("例如：7月每周六上午，共3场"),
    )
    outcome = TextAreaField(
        _l("成效"),
        validators=[Optional(), Length(max=500)],
        description=_l("例如：3场讲座，26家企业参加"),
    )
    status = SelectField(
        _l("状态"), choices=choices(PROJECT_STATUS_LABELS.items()), default="planned"
    )
    request_ids = SelectMultipleField(_l("关联的需求"), validators=[Optional()])
    resource_ids = SelectMultipleField(_l("关联的资源"), validators=[Optional()])
    submit = SubmitField(_l("保存项目"))


class KeyForm(Form):
    name = StringField(
        _l("用途"),
        validators=[DataRequired(_l("请填写用途，例如对接的系统名称。")), Length(max=80)],
    )
    submit = SubmitField(_l("生成 API 密钥"))
