"""Shapes of the supply forms; the rules are in `alliance.emergency.supplies`."""

from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from alliance.formkit import CountField, Form
from alliance.i18n import lazy_gettext as _l


class StoreForm(Form):
    name = StringField(
        _l("仓库名称"),
        validators=[DataRequired(message=_l("请填写仓库名称（最多 60 字）。")), Length(max=60)],
    )
    place = StringField(_l("地址"), validators=[Length(max=120)])
    submit = SubmitField(_l("添加仓库"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "store")
        super().__init__(*args, **kwargs)


class ItemForm(Form):
    kind = SelectField(_l("种类"))
    name = StringField(_l("名称（可不填）"), validators=[Length(max=40)])
    # Whole for things, to 0.01 for 砂石料 and 木桩 (m³): the service knows which.
    minimum = StringField(
        _l("储备下限"),
        default="0",
        validators=[InputRequired(message=_l("请填写数量。")), Length(max=20)],
        render_kw={"inputmode": "decimal"},
    )
    submit = SubmitField(_l("添加物资"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "item")
        super().__init__(*args, **kwargs)


class MoveForm(Form):
    store_id = SelectField(_l("仓库"))
    item_id = SelectField(_l("物资"))
    kind = SelectField(_l("进出类型"))
    count = StringField(
        _l("数量"),
        validators=[InputRequired(message=_l("请填写数量。")), Length(max=20)],
        description=_l("件数填整数，砂石料、木桩（m³）可填小数如 2.5；盘点调整可填负数"),
    )
    recipient = StringField(_l("发给（队伍、岗位或隐患点）"), validators=[Length(max=80)])
    reason = SelectField(_l("调整原因"), default="")
    submit = SubmitField(_l("登记"))


class PledgeForm(Form):
    merchant_id = SelectField(_l("联盟商户"))
    goods = StringField(
        _l("储备物资"),
        validators=[DataRequired(message=_l("请填写储备的物资（最多 40 字）。")), Length(max=40)],
        description=_l("例如：矿泉水"),
    )
    quantity = CountField(
        _l("数量"), low=1, high=1_000_000, message=_l("数量要填 %(low)s 到 1000000 的整数。", low=1)
    )
    unit = StringField(
        _l("单位"),
        validators=[DataRequired(message=_l("请填写单位（最多 8 字）。")), Length(max=8)],
        description=_l("例如：箱、袋"),
    )
    submit = SubmitField(_l("登记协议储备"))
