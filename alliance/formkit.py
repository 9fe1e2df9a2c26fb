"""Small helpers shared by every domain's forms."""

from wtforms import SelectChoice


def choices(pairs) -> list[SelectChoice]:
    """[(value, label), ...] as WTForms 3.3+ wants them."""
    return [SelectChoice(value, str(label)) for value, label in pairs]
