"""Card rules: numbers, codes, TOTP, verification reasons, savings, limits, reissue."""

import base64
import hashlib
import hmac
import struct
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from alliance import clock
from alliance.cards import codes, services
from alliance.cards.models import Card, CardStatus, Redemption
from alliance.commitments.models import UsagePeriod
from alliance.counter import redemptions
from alliance.counter import services as counter_services
from alliance.volunteers.models import VolunteerStatus
from tests.cards.conftest import make_volunteer
from tests.commitments.factories import create_commitment, create_merchant


def test_card_numbers_use_the_community_prefix_and_a_sequence(world, db, make_user, counter):
    assert counter.card.number == "AAA-000001"
    other = make_user("v2", community=world.a)
    make_volunteer(other, world.a, "李雷")
    second = services.issue_card(other, "volunteer")
    assert second.number == "AAA-000002"
    assert len(counter.card.code) >= 22  # 16 random bytes, URL-safe base64


def test_concurrent_issues_get_distinct_numbers(app, world, db, make_user):
    people = [make_user(f"p{i}", community=world.a) for i in range(8)]
    for p in people:
        make_volunteer(p, world.a, "张三")
    db.session.commit()
    ids = [p.id for p in people]
    errors = []
    barrier = threading.Barrier(len(ids))

    def work(uid):
        with app.app_context():
            try:
                from alliance.accounts.models import User

                barrier.wait()
                services.issue_card(db.session.get(User, uid), "volunteer")
                db.session.commit()
            except Exception as exc:  # pragma: no cover - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = db.session.scalars(select(Card.number)).all()
    assert sorted(numbers) == [f"AAA-{n:06d}" for n in range(1, 9)]


def test_totp_matches_rfc_6238_test_vector():
    # RFC 6238 appendix B, SHA-1, secret "12345678901234567890", T = 59 s → 94287082.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert codes.totp(secret, 59 // 30) == "94287082"
    assert codes.totp(secret, 1111111109 // 30) == "07081804"
    key = b"12345678901234567890"
    digest = hmac.new(key, struct.pack(">Q", 1), hashlib.sha1).digest()
    assert len(digest) == 20


def test_rotating_code_is_accepted_for_this_step_and_the_previous_only(counter):
    card = counter.card
    now = datetime.now(UTC)
    step = codes.current_step(now.timestamp())
    for back, valid in ((0, True), (1, True), (2, False), (-1, False)):
        code = codes.rotating_code(card.rotating_id, card.totp_secret, step - back)
        result = counter_services.verify(code, now=now)
        assert result.valid is valid, back
        assert result.code_type == "rotating"
        if not valid:
            assert result.reason == "stale"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "x",
        "a" * 21,
        "a" * 5000,
        "卡" * 22,
        "abc\x00def" * 4,
        None,
        123,
        ["x"],
        "../../etc/passwd",
        "' OR 1=1 --",
        "AAAAAAAAAAAAAAAAAAAAAA",
        "Zm9vYmFyZm9vYmFy.12345678",
    ],
)
def test_garbage_codes_are_not_valid(counter, raw):
    result = counter_services.verify(raw)
    assert result.valid is False
    assert result.reason == "unknown"


def test_truncated_and_forged_codes_are_not_valid(counter):
    assert counter_services.verify(counter.code[:-1]).valid is False
    forged = counter.code[:-1] + ("A" if counter.code[-1] != "A" else "B")
    assert counter_services.verify(forged).reason == "unknown"
    rot = codes.rotating_code(
        counter.card.rotating_id, counter.card.totp_secret, codes.current_step()
    )
    wrong = rot[:-1] + str((int(rot[-1]) + 1) % 10)
    assert counter_services.verify(wrong).reason == "stale"


def test_status_reasons(counter, db):
    card = counter.card
    assert counter_services.verify(card.code).valid is True
    services.change_status(card, "suspend", "核查中")
    assert counter_services.verify(card.code).reason == "suspended"
    services.change_status(card, "reinstate")
    card.valid_until = date.today() - timedelta(days=2)
    assert counter_services.verify(card.code).reason == "expired"
    card.valid_until = date.today() + timedelta(days=30)
    counter.profile.status = VolunteerStatus.SUSPENDED
    db.session.flush()
    assert counter_services.verify(card.code).reason == "suspended"
    counter.profile.status = VolunteerStatus.ACTIVE
    services.change_status(card, "revoke", "退出")
    assert counter_services.verify(card.code).reason == "revoked"


def test_reissue_stops_the_old_code_at_once(counter, db):
    old_code = counter.card.code
    new = services.reissue(counter.card, None, "手机丢了")
    db.session.commit()
    assert counter_services.verify(old_code).reason == "lost"
    assert counter_services.verify(new.code).valid is True
    assert new.number != counter.card.number and new.code != old_code


@pytest.mark.parametrize(
    ("bill", "rate", "saving"),
    [
        (1234, 85, 185),  # pays 1048.9 → 1049
        (10, 85, 1),  # pays 8.5 → 9 (half up)
        (10000, 68, 3200),
        (0, 85, 0),
        (1, 99, 0),  # pays 0.99 → 1
        (None, 85, None),
    ],
)
def test_saving_is_exact_in_fen_with_half_up(bill, rate, saving):
    assert redemptions.saving_fen(bill, rate) == saving


def test_period_keys_follow_shanghai_days_weeks_and_months():
    assert redemptions.period_key(UsagePeriod.DAY, date(2026, 5, 3)) == "2026-05-03"
    assert redemptions.period_key(UsagePeriod.WEEK, date(2026, 1, 1)) == "2026-W01"
    assert redemptions.period_key(UsagePeriod.MONTH, date(2026, 5, 3)) == "2026-05"
    # 23:30 UTC on 2 May is 07:30 on 3 May in Shanghai.
    assert clock.local_today(datetime(2026, 5, 2, 23, 30, tzinfo=UTC)) == date(2026, 5, 3)


def _redeem(counter, user, offer_id, key, code=None, bill=None):
    return redemptions.redeem(
        merchant=counter.shop,
        staff=user,
        raw_code=code or counter.code,
        offer_id=offer_id,
        bill_fen=bill,
        idempotency_key=key,
    )


def test_daily_limit_and_idempotency(counter, world, db):
    staff = world.users["merchant"]
    record, created = _redeem(counter, staff, counter.daily_id, "k1", bill=1234)
    assert created and record.saving_fen == 185
    again, created = _redeem(counter, staff, counter.daily_id, "k1", bill=1234)
    assert not created and again.id == record.id
    with pytest.raises(services.CardError) as exc:
        _redeem(counter, staff, counter.daily_id, "k1", bill=999)
    assert exc.value.status == 422
    with pytest.raises(services.CardError) as exc:
        _redeem(counter, staff, counter.daily_id, "k2")
    assert exc.value.status == 409
    # An unlimited offer can be used again and again.
    _redeem(counter, staff, counter.free_id, "k3")
    _redeem(counter, staff, counter.free_id, "k4")
    db.session.commit()
    assert db.session.scalar(select(func.count(Redemption.id))) == 3


def test_rotating_only_offer_refuses_the_static_code(counter, world, db):
    offer = create_commitment(counter.shop, title="会员日", rate=80).offer
    offer.requires_rotating = True
    db.session.commit()
    with pytest.raises(services.CardError) as exc:
        _redeem(counter, world.users["merchant"], offer.id, "r1")
    assert exc.value.code == "rotating_required"
    rot = codes.rotating_code(
        counter.card.rotating_id, counter.card.totp_secret, codes.current_step()
    )
    record, _ = _redeem(counter, world.users["merchant"], offer.id, "r2", code=rot)
    assert record.code_type == "rotating"


def test_suspended_merchant_cannot_redeem_and_offers_of_others_do_not_apply(counter, world, db):
    other = create_merchant(world.a, 2, name="别家")
    foreign = create_commitment(other, title="别家优惠", rate=80).offer
    db.session.commit()
    with pytest.raises(services.CardError) as exc:
        _redeem(counter, world.users["merchant"], foreign.id, "f1")
    assert exc.value.code == "offer_not_applicable"
    counter.shop.status = "suspended"
    db.session.commit()
    with pytest.raises(services.CardError) as exc:
        _redeem(counter, world.users["merchant"], counter.free_id, "s1")
    assert exc.value.status == 403


def test_alliance_cards_for_staff_end_when_the_member_leaves(counter, world, db):
    card = services.issue_card(world.users["merchant"], "alliance")
    db.session.commit()
    assert card.merchant_id == counter.shop_id
    assert counter_services.verify(card.code).valid
    counter.shop.status = "left"
    db.session.commit()
    assert counter_services.verify(card.code).reason == "revoked"
    with pytest.raises(services.CardError):
        services.issue_card(world.users["resident"], "alliance")


def test_volunteer_approval_issues_a_card(world, db):
    from alliance.volunteers import services as volunteers
    from alliance.volunteers.models import VolunteerApplication

    user = world.users["resident"]
    application = VolunteerApplication(
        community_id=world.a.id, user_id=user.id, name="吴居民", phone="13900000001"
    )
    db.session.add(application)
    db.session.flush()
    volunteers.approve(application, world.users["secretary_a"])
    db.session.commit()
    card = db.session.scalars(select(Card).where(Card.holder_id == user.id)).one()
    assert card.kind == "volunteer" and card.status == CardStatus.ACTIVE
