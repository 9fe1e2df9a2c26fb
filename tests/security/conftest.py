from tests.cards.conftest import api_token, bearer, counter, make_volunteer  # noqa: F401
