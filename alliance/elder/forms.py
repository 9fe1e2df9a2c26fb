from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField

from alliance.formkit import choices


class LargeTextForm(FlaskForm):
    mode = SelectField(_l("长辈模式"), choices=choices([("on", _l("开")), ("off", _l("关"))]))
