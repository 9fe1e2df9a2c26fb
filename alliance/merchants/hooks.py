"""The members' part in the rest of the platform (see alliance.hooks)."""

from alliance.hooks import Hooks
from alliance.merchants import demo, personal_data, status

HOOKS = Hooks(
    export_personal_data=personal_data.export,
    close_account=personal_data.erase,
    home_figures=status.home_figures,
    demo_steps=(demo.merchants, demo.merchant_applications),
)
