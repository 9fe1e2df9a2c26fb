"""The service orders' part in the rest of the platform (see alliance.hooks)."""

from alliance.help_requests import (
    demo,
    demo_dates,
    demo_everyday,
    demo_lists,
    figures,
    personal_data,
)
from alliance.hooks import Hooks

HOOKS = Hooks(
    export_personal_data=personal_data.export,
    close_account=personal_data.erase,
    home_figures=figures.home_figures,
    demo_steps=(
        demo.help_requests,
        demo_everyday.everyday_orders,
        demo_lists.three_lists,
        demo_dates.date_the_lists,
    ),
    demo_logins=demo.LOGINS,
)
