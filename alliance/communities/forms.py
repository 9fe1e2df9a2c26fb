from wtforms import HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from alliance.accounts.services import GRANTABLE
from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l


class RoleChangeForm(Form):
    role = SelectField(
        _l("角色"),
        choices=choices((str(r), r.label) for r in GRANTABLE),
        validators=[DataRequired()],
    )
    action = HiddenField(validators=[AnyOf(("grant", "revoke"))])
    submit = SubmitField(_l("确定"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Labels are translated per request, not at import.
        self.role.choices = choices((str(r), r.label) for r in GRANTABLE)


class PeopleSearchForm(Form):
    class Meta:
        csrf = False

    q = StringField(_l("姓名或用户名"), validators=[Optional(), Length(max=40)])
