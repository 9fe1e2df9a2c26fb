"""The counter's forms: scan, redeem an offer, exchange an item."""

from decimal import Decimal, InvalidOperation

from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from alliance.formkit import Form, choices
from alliance.i18n import lazy_gettext as _l


def yuan_to_fen(text) -> int | None:
    """ "12.3" → 1230; "" → None. Raises ValueError for anything else (no floats anywhere)."""
    raw = (text or "").strip().replace("，", ".").replace("¥", "").replace("元", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(raw) from None
    if (
        not value.is_finite()
        or value < 0
        or value > 100_000
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ValueError(raw)
    return int(value * 100)


class RedeemForm(Form):
    offer_id = RadioField(
        _l("优惠"),
        coerce=int,
        validators=[DataRequired(message=_l("请选择优惠。"))],
        invalid_choice_message=_l("请选择这张卡能用的优惠。"),
    )
    bill = StringField(
        _l("消费金额（元，选填）"),
        validators=[Optional(), Length(max=12)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
        description=_l("填写后自动算出优惠金额，例如 128.50"),
    )
    key = HiddenField()
    # A bill far above the member's usual is recorded only once this is ticked.
    confirm = BooleanField(_l("金额核对无误，确认按这个金额核销"))
    # The checkout the page opened (alliance.counter.checkouts): outlives the rotating code.
    verification_id = HiddenField()
    submit = SubmitField(_l("确认核销"))

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_id.choices = choices([(o.id, f"{o.title} · {o.rate_text}") for o in offers])
        self.bill_fen = None

    def validate_bill(self, field):
        try:
            self.bill_fen = yuan_to_fen(field.data)
        except ValueError:
            raise ValidationError(
                _l("请填写0到100000之间的金额，最多两位小数，例如 128.50")
            ) from None


class ScanForm(Form):
    text = StringField(
        _l("卡号或卡码"),
        validators=[DataRequired(message=_l("请输入卡号或扫码。")), Length(max=300)],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
        description=_l("例如 YSMZ-000123，或粘贴卡上的链接"),
    )
    submit = SubmitField(_l("查验"))


class ExchangeForm(Form):
    item_id = StringField(validators=[DataRequired(message=_l("请选择兑换项目。"))])
    key = HiddenField()
    verification_id = HiddenField()


class VoidForm(Form):
    reason = TextAreaField(
        _l("作废原因"),
        validators=[
            DataRequired(message=_l("请写明作废的原因。")),
            Length(max=200, message=_l("原因最多200个字。")),
        ],
        description=_l("例如：金额输错（应为100.00元）。持卡人会收到通知。"),
    )
    submit = SubmitField(_l("确认作废"))
