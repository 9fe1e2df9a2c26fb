from wtforms import TextAreaField
from wtforms.validators import Length

from alliance.formkit import Form
from alliance.i18n import lazy_gettext as _l
from alliance.reports.services import REMARKS_MAX


class SubmitReportForm(Form):
    remarks = TextAreaField(
        _l("工作小结（选填）"),
        validators=[Length(max=REMARKS_MAX, message=_l("工作小结最多 2000 字。"))],
    )
