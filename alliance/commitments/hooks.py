"""The commitments' part in the rest of the platform (see alliance.hooks)."""

from alliance.commitments import board, demo
from alliance.hooks import Hooks

HOOKS = Hooks(home_figures=board.home_figures, demo_steps=(demo.commitments,))
