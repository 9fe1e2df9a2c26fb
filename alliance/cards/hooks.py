"""The cards' part in the rest of the platform (see alliance.hooks)."""

from alliance.cards import demo, personal_data, services
from alliance.hooks import Hooks

HOOKS = Hooks(
    export_personal_data=personal_data.export,
    close_account=personal_data.erase,
    home_figures=services.home_figures,
    demo_steps=(demo.cards,),
)
