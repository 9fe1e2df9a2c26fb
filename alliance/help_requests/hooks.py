"""The service orders' part in the rest of the platform (see alliance.hooks)."""

from alliance.help_requests import demo, services
from alliance.hooks import Hooks

HOOKS = Hooks(
    home_figures=services.home_figures,
    demo_steps=(demo.help_requests,),
    demo_logins=demo.LOGINS,
)
