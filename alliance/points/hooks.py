"""The points' part in the rest of the platform (see alliance.hooks)."""

from alliance.hooks import Hooks
from alliance.points import demo

# The demo's activities are seeded with the points they earn, so the step lives here.
HOOKS = Hooks(demo_steps=(demo.points_and_activities,))
