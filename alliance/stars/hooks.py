"""The star levels' part in the rest of the platform (see alliance.hooks)."""

from alliance.hooks import Hooks
from alliance.stars import demo, personal_data

# The demo step comes after the points' (it adds to the volunteers those made).
HOOKS = Hooks(
    export_personal_data=personal_data.export,
    close_account=personal_data.erase,
    demo_steps=(demo.star_levels,),
)
