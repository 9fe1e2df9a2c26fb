from tests.cards.conftest import api_token, bearer, counter, make_volunteer  # noqa: F401
from tests.help_requests.conftest import _uploads, setup  # noqa: F401
