"""The commitments' part in the rest of the platform (see alliance.hooks)."""

from alliance.commitments import demo, services
from alliance.hooks import Hooks

HOOKS = Hooks(home_figures=services.home_figures, demo_steps=(demo.commitments,))
