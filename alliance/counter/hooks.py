"""The counter's part in the rest of the platform (see alliance.hooks)."""

from alliance.counter import demo
from alliance.hooks import Hooks

HOOKS = Hooks(demo_steps=(demo.corrected_slip,))
