from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from alliance.formkit import Form, choices, offer_estates
from alliance.i18n import lazy_gettext as _l
from alliance.merchants.models import CATEGORIES
from alliance.validators import MainlandMobile


def category_choices(blank=None):
    pairs = [(code, label) for code, label in CATEGORIES.items()]
    if blank is not None:
        pairs.insert(0, ("", blank))
    return choices(pairs)


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class MerchantApplicationForm(Form):
    name = StringField(_l("商户名称"), validators=[DataRequired(), Length(max=80)])
    category = SelectField(
        _l("经营类别"),
        validators=[DataRequired(message=_l("请选择经营类别。"))],
        invalid_choice_message=_l("请选择经营类别。"),
    )
    estate_id = SelectField(
        _l("所在小区"),
        coerce=_optional_int,
        validators=[Optional()],
        invalid_value_message=_l("请选择本社区的小区。"),
        invalid_choice_message=_l("请选择本社区的小区。"),
    )
    address = StringField(
        _l("店铺地址"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("例如：云水明珠一期南门底商3号"),
    )
    contact_name = StringField(_l("联系人"), validators=[DataRequired(), Length(max=40)])
    contact_phone = StringField(
        _l("联系电话"),
        validators=[DataRequired(), MainlandMobile()],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
        description=_l("只给社区工作人员看，不会公开。"),
    )
    licence_no = StringField(
        _l("营业执照号（选填）"),
        validators=[
            Optional(),
            Length(max=30),
            Regexp(r"^[0-9A-Za-z]+$", message=_l("营业执照号只能包含数字和字母。")),
        ],
        description=_l("只给社区工作人员看，不会公开。"),
    )
    offer_text = TextAreaField(
        _l("准备提供的优惠或服务"),
        validators=[Optional(), Length(max=1000)],
        description=_l("例如：持志愿者卡用餐8.5折；每月组织员工参加一次志愿服务。"),
    )
    submit = SubmitField(_l("提交申请"))

    def __init__(self, *args, estates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(blank=_l("请选择"))
        offer_estates(self.estate_id, estates)


class AgreementForm(Form):
    signed_on = DateField(_l("签约日期"), validators=[DataRequired(message=_l("请填写日期。"))])
    starts_on = DateField(_l("协议开始日期"), validators=[DataRequired(message=_l("请填写日期。"))])
    ends_on = DateField(_l("协议结束日期"), validators=[DataRequired(message=_l("请填写日期。"))])
    signatories = StringField(
        _l("签约人"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("商户负责人和社区代表，例如：张三（商户）、李四（社区书记）"),
    )
    text = TextAreaField(_l("协议内容"), validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("批准入盟并签订协议"))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data <= self.starts_on.data:
            raise ValidationError(_l("协议结束日期必须晚于开始日期。"))


class NoteForm(Form):
    note = TextAreaField(_l("说明"), validators=[DataRequired(), Length(max=500)])
    submit = SubmitField(_l("提交"))


class StaffForm(Form):
    identifier = StringField(
        _l("店员的手机号或用户名"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("对方需要先在本平台注册，并且属于本社区。"),
    )
    submit = SubmitField(_l("添加店员"))


STATUS_ACTION_LABELS = {
    "suspend": _l("暂停联盟资格"),
    "reinstate": _l("恢复联盟资格"),
    "leave": _l("登记退出联盟"),
}


class StatusForm(Form):
    action = SelectField(
        _l("操作"), validators=[DataRequired()], invalid_choice_message=_l("请选择操作。")
    )
    reason = TextAreaField(_l("原因"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("确定"))

    def __init__(self, *args, actions=("suspend", "reinstate", "leave"), **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = choices((a, STATUS_ACTION_LABELS[a]) for a in actions)
