"""English readers get English: service categories, activity dates, the agreement's title and
the usage limit of an offer."""

import re

from alliance.extensions import db
from alliance.help_requests import catalogue
from tests.conftest import login
from tests.help_requests.factories import post_need
from tests.points.factories import make_activity


def _english(client):
    client.post("/language", data={"locale": "en"})
    return client


def test_categories_and_activity_dates_in_english(client, world):
    catalogue.ensure_catalogue(world.a)
    make_activity(world.a, world.users["secretary_a"], title="清洁家园")
    db.session.commit()
    order = post_need(world, code="elderly", title="陪同就医")
    login(client, "resident")
    _english(client)
    page = client.get(f"/requests/{order.id}").get_data(as_text=True)
    assert "养老助老" not in page and "Elderly" in page
    activities = client.get("/activities/").get_data(as_text=True)
    assert "月" not in re.sub(r"<[^>]+>", "", activities.split("清洁家园")[1])[:200]
    assert re.search(
        r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2} \d\d:\d\d", activities
    )
    login(client, "resident")
    client.post("/language", data={"locale": "zh_CN"})
    chinese = client.get("/activities/").get_data(as_text=True)
    assert re.search(r"\d{1,2}月\d{1,2}日 \d\d:\d\d", chinese)


def test_an_offer_limited_to_once_reads_well(app):
    from alliance.commitments.models import Offer

    with app.test_request_context("/"):
        from flask_babel import force_locale

        with force_locale("en"):
            label = Offer(usage_limit=1, usage_period="day").usage_label
    assert "1 times" not in label and "1" in label
