from wtforms import SelectField

from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l


class LargeTextForm(Form):
    mode = SelectField(_l("长辈模式"), choices=choices([("on", _l("开")), ("off", _l("关"))]))
