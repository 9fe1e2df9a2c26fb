"""The grid page's part in the rest of the platform (see alliance.hooks)."""

from alliance.grid import demo
from alliance.hooks import Hooks

HOOKS = Hooks(demo_steps=(demo.visits, demo.businesses))
