"""The monthly reports' part in the rest of the platform (see alliance.hooks)."""

from alliance.hooks import Hooks
from alliance.reports import demo

HOOKS = Hooks(demo_steps=(demo.reports,))
