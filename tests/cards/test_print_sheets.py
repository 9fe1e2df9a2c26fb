"""Card sheets: every active card, one estate's, or a chosen set, in A4 pages of ten."""

from sqlalchemy import select

from alliance.accounts.models import Role
from alliance.cards import services
from alliance.cards.models import Card
from alliance.extensions import db
from alliance.volunteers.models import VolunteerProfile
from tests.conftest import login


def _cards(world, make_user, n, estate=None):
    people = [
        make_user(community=world.a, roles=(Role.VOLUNTEER,), display_name=f"持卡{k}")
        for k in range(n)
    ]
    for p in people:
        db.session.add(
            VolunteerProfile(
                user_id=p.id,
                community_id=world.a.id,
                name=p.display_name,
                phone="13800000000",
                estate_id=estate.id if estate else None,
            )
        )
    services.issue_cards_bulk([(p.id, world.a.id, "volunteer", None) for p in people], None)
    db.session.commit()
    ids = [p.id for p in people]
    return db.session.scalars(select(Card).where(Card.holder_id.in_(ids))).all()


def test_every_active_card_one_estate_or_a_chosen_set(client, world, make_user):
    others = _cards(world, make_user, 17)
    in_estate = _cards(world, make_user, 6, estate=world.estate_a)
    others[0].status = "lost"
    db.session.commit()
    login(client, "secretary_a")

    everything = client.get("/cards/print?all=1").get_data(as_text=True)
    assert everything.count('class="print-card') == 22
    assert everything.count('class="sheet"') == 3  # 10 + 10 + 2
    assert others[0].number not in everything

    estate = client.get(f"/cards/print?estate={world.estate_a.id}").get_data(as_text=True)
    assert estate.count('class="print-card') == 6
    assert all(c.number in estate for c in in_estate)

    chosen = [others[3], in_estate[1]]
    picked = client.get(f"/cards/print?ids={chosen[0].id}&ids={chosen[1].id}")
    text = picked.get_data(as_text=True)
    assert text.count('class="print-card') == 2 and 'class="print-button' in text

    newest = client.get("/cards/print").get_data(as_text=True)
    assert newest.count('class="print-card') == 10

    index = client.get("/cards/").get_data(as_text=True)
    assert 'name="ids"' in index and "打印全部有效卡" in index and world.estate_a.name in index


def test_another_communitys_cards_never_print(client, world, make_user):
    cards = _cards(world, make_user, 2)
    login(client, "secretary_b")
    text = client.get(f"/cards/print?ids={cards[0].id}&all=1").get_data(as_text=True)
    assert cards[0].number not in text
