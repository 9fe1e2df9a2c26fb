from flask_babel import lazy_gettext as _l
from wtforms import SelectField

from alliance.formkit import Form, choices


class LargeTextForm(Form):
    mode = SelectField(_l("长辈模式"), choices=choices([("on", _l("开")), ("off", _l("关"))]))
