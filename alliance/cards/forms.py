from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l


class IssueCardForm(Form):
    person = StringField(
        _l("持卡人（姓名、手机号或用户名）"),
        validators=[DataRequired(message=_l("请填写持卡人。")), Length(max=40)],
    )
    kind = SelectField(
        _l("卡的种类"), validators=[DataRequired()], invalid_choice_message=_l("请选择卡的种类。")
    )
    submit = SubmitField(_l("发卡"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([("volunteer", _l("志愿者卡")), ("alliance", _l("共富联盟卡"))])


class CardStatusForm(Form):
    action = SelectField(
        _l("操作"), validators=[DataRequired()], invalid_choice_message=_l("请选择操作。")
    )
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("确定"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = choices(
            [
                ("suspend", _l("暂停")),
                ("reinstate", _l("恢复")),
                ("lost", _l("挂失")),
                ("revoke", _l("注销")),
                ("reissue", _l("挂失并补办新卡")),
            ]
        )


class TokenForm(Form):
    name = StringField(
        _l("名称"),
        validators=[DataRequired(message=_l("请填写名称。")), Length(max=60)],
        description=_l("例如：前台收银机"),
    )
    merchant_id = SelectField(
        _l("商户"),
        coerce=int,
        validators=[DataRequired()],
        invalid_choice_message=_l("请选择商户。"),
    )
    submit = SubmitField(_l("创建密钥"))

    def __init__(self, *args, merchants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.merchant_id.choices = choices([(m.id, m.name) for m in merchants])
