"""The emergency domain's part in the rest of the platform (see alliance.hooks)."""

from alliance.emergency import demo, personal_data, registers_demo
from alliance.hooks import Hooks

# The demo needs the volunteers, grids and notifications of the domains before it.
HOOKS = Hooks(
    export_personal_data=personal_data.export,
    close_account=personal_data.erase,
    demo_steps=(demo.emergency, registers_demo.flood_registers),
)
