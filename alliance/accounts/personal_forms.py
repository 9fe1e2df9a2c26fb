from wtforms import BooleanField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from alliance.accounts.forms import new_password_fields
from alliance.formkit import Form
from alliance.i18n import lazy_gettext as _l


class ResetPasswordForm(Form):
    password, confirm = new_password_fields(
        _l("至少 8 位，包含字母和数字。设置后所有设备需要重新登录。")
    )
    submit = SubmitField(_l("设置新密码"))


class CloseAccountForm(Form):
    password = PasswordField(
        _l("当前密码"),
        validators=[DataRequired(_l("请填写当前密码。")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    understood = BooleanField(
        _l("我已了解：注销后姓名、手机号和登录信息会被删除，账号无法恢复。"),
        validators=[DataRequired(_l("请勾选确认后再注销。"))],
    )
    submit = SubmitField(_l("注销账号"))
