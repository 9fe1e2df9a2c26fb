import pytest

from tests.commitments.factories import create_merchant


@pytest.fixture
def shop(world, db):
    """Merchant 1 of community A, staffed by the `merchant` user."""
    m = create_merchant(
        world.a, 1, name="明珠面馆", category="catering", staff=[world.users["merchant"]]
    )
    db.session.commit()
    return m
