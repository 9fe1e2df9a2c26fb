"""The volunteers' part in the rest of the platform (see alliance.hooks)."""

from alliance.hooks import Hooks
from alliance.volunteers import demo, services

HOOKS = Hooks(home_figures=services.home_figures, demo_steps=(demo.volunteers,))
