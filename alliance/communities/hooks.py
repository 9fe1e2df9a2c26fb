"""The communities' part in the rest of the platform (see alliance.hooks)."""

from alliance.communities import demo, services
from alliance.hooks import Hooks

HOOKS = Hooks(
    home_figures=services.home_figures,
    demo_steps=(demo.places, demo.people, demo.grids),
)
