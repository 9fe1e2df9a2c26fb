from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l
from alliance.validators import MainlandMobile, StrongPassword


def new_password_fields(description, *, first: bool = False) -> tuple[PasswordField, PasswordField]:
    """The `password` and `confirm` fields for choosing a password (`first`: at registration).

    Call it in a form's class body, `password, confirm = new_password_fields(...)`: the fields
    keep their place among the form's fields (a base form's fields would render first).
    """
    if first:
        label, again = _l("密码"), _l("再次输入密码")
        missing, missing_again = _l("请设置密码。"), _l("请再次输入密码。")
    else:
        label, again = _l("新密码"), _l("再次输入新密码")
        missing, missing_again = _l("请设置新密码。"), _l("请再次输入新密码。")
    password = PasswordField(
        label,
        validators=[DataRequired(missing), Length(max=128), StrongPassword()],
        description=description,
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        again,
        validators=[DataRequired(missing_again), EqualTo("password", _l("两次输入的密码不一致。"))],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class LoginForm(Form):
    identifier = StringField(
        _l("手机号或用户名"),
        validators=[DataRequired(_l("请填写手机号或用户名。")), Length(max=40)],
    )
    password = PasswordField(
        _l("密码"), validators=[DataRequired(_l("请填写密码。")), Length(max=128)]
    )
    remember = BooleanField(_l("记住我（30天）"))
    submit = SubmitField(_l("登录"))


class RegisterForm(Form):
    display_name = StringField(
        _l("姓名"), validators=[DataRequired(_l("请填写姓名。")), Length(max=40)]
    )
    phone = StringField(
        _l("手机号"),
        validators=[DataRequired(_l("请填写手机号。")), MainlandMobile()],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    username = StringField(
        _l("用户名（可选）"),
        validators=[
            Optional(),
            Length(min=3, max=40, message=_l("用户名需要 3 到 40 个字符。")),
            Regexp(
                r"^[A-Za-z][A-Za-z0-9_.-]*$",
                message=_l("用户名以字母开头，只能包含字母、数字、下划线、点和横线。"),
            ),
        ],
        render_kw={"autocomplete": "username"},
    )
    community_id = SelectField(
        _l("所在社区"), coerce=int, validators=[DataRequired(_l("请选择所在社区。"))]
    )
    password, confirm = new_password_fields(_l("至少 8 位，包含字母和数字。"), first=True)
    submit = SubmitField(_l("注册"))


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("当前密码"), validators=[DataRequired(_l("请填写当前密码。")), Length(max=128)]
    )
    password, confirm = new_password_fields(
        _l("至少 8 位，包含字母和数字。修改后其他设备需要重新登录。")
    )
    submit = SubmitField(_l("修改密码"))


class LanguageForm(Form):
    locale = SelectField(_l("语言"), choices=choices([("zh_CN", "中文"), ("en", "English")]))
    submit = SubmitField(_l("切换"))


class ForgotPasswordForm(Form):
    phone = StringField(
        _l("注册时填的手机号"),
        validators=[DataRequired(_l("请填写手机号。")), MainlandMobile()],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    submit = SubmitField(_l("发送验证码"))


class SmsResetForm(Form):
    phone = StringField(
        _l("手机号"),
        validators=[DataRequired(_l("请填写手机号。")), MainlandMobile()],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    code = StringField(
        _l("短信验证码"),
        validators=[DataRequired(_l("请填写短信里的6位验证码。")), Length(max=6)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code"},
    )
    password, confirm = new_password_fields(_l("至少 8 位，包含字母和数字。"), first=True)
    submit = SubmitField(_l("设置新密码"))
