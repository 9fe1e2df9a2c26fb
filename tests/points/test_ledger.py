"""The ledger: awards, corrections, spends, expiry; the balance always equals the sum."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from alliance.extensions import db
from alliance.points import expiry, ledger, scoring
from alliance.points.errors import PointsError
from alliance.points.models import EntryKind, LedgerEntry, PointsAccount, PointsRule


def ledger_sum(user_id):
    return db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.delta), 0)).where(LedgerEntry.user_id == user_id)
    )


def assert_consistent(user_id):
    db.session.expire_all()
    account = db.session.scalars(
        select(PointsAccount).where(PointsAccount.user_id == user_id)
    ).first()
    balance = account.balance if account else 0
    assert balance == ledger_sum(user_id) >= 0
    entries = list(
        db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.user_id == user_id).order_by(LedgerEntry.id)
        )
    )
    running = 0
    for e in entries:
        running += e.delta
        assert e.balance_after == running >= 0
    return balance


def test_award_and_adjust_keep_the_balance_equal_to_the_ledger(world):
    secretary, volunteer = world.users["secretary_a"], world.users["volunteer"]
    ledger.award(volunteer, "30", "扶老人过马路", secretary)
    ledger.adjust(volunteer, "-5", "多记了5分", secretary)
    ledger.adjust(volunteer, 2, "补记", secretary)
    db.session.commit()
    assert assert_consistent(volunteer.id) == 27
    kinds = list(db.session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)))
    assert kinds == [EntryKind.AWARD, EntryKind.ADJUST, EntryKind.ADJUST]


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "积分不能为0"),
        ("-3", "正整数"),
        ("1.5", "整数"),
        ("abc", "整数"),
        ("", "请填写积分"),
        ("99999999", "不能超过"),
    ],
)
def test_award_refuses_bad_points(world, value, message):
    with pytest.raises(PointsError) as exc:
        ledger.award(world.users["volunteer"], value, "原因", world.users["secretary_a"])
    assert message in str(exc.value.message)
    db.session.rollback()
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


def test_award_needs_a_reason_and_a_person_of_the_community(world):
    with pytest.raises(PointsError, match="原因"):
        ledger.award(world.users["volunteer"], 5, "  ", world.users["secretary_a"])
    with pytest.raises(PointsError, match="本社区"):
        ledger.award(world.users["resident_b"], 5, "好事", world.users["secretary_a"])


def test_a_deduction_cannot_take_the_balance_below_zero(world):
    secretary, volunteer = world.users["secretary_a"], world.users["volunteer"]
    ledger.award(volunteer, 10, "好事", secretary)
    db.session.commit()
    with pytest.raises(PointsError) as exc:
        ledger.adjust(volunteer, -11, "更正", secretary)
    assert exc.value.status == 409 and "小于0" in str(exc.value.message)
    db.session.rollback()
    assert assert_consistent(volunteer.id) == 10


def test_entries_are_never_changed_or_deleted(world):
    entry = ledger.award(world.users["volunteer"], 10, "好事", world.users["secretary_a"])
    db.session.commit()
    entry.delta = 1000
    with pytest.raises(RuntimeError, match="never changed"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(LedgerEntry, entry.id))
    with pytest.raises(RuntimeError, match="never deleted"):
        db.session.flush()
    db.session.rollback()
    assert assert_consistent(world.users["volunteer"].id) == 10


def test_expiry_date_is_the_end_of_the_nth_month():
    assert scoring.expiry_date(date(2025, 1, 15), 12) == date(2026, 1, 31)
    assert scoring.expiry_date(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert scoring.expiry_date(date(2025, 1, 15), None) is None


def _with_expiry(world, months=12):
    db.session.add(PointsRule(community_id=world.a.id, expiry_months=months))
    db.session.commit()


def _credit(user, amount, when, secretary):
    return ledger.post_entry(
        user_id=user.id,
        community_id=user.community_id,
        kind=EntryKind.AWARD,
        delta=amount,
        reason="测试",
        actor_id=secretary.id,
        now=when,
    )


def test_expiry_uses_the_oldest_points_first_and_runs_once(world, runner):
    from datetime import UTC, datetime

    _with_expiry(world, 1)
    secretary, volunteer = world.users["secretary_a"], world.users["volunteer"]
    _credit(volunteer, 50, datetime(2025, 1, 10, 4, tzinfo=UTC), secretary)  # expires 2025-02-28
    _credit(volunteer, 30, datetime(2025, 2, 10, 4, tzinfo=UTC), secretary)  # expires 2025-03-31
    ledger.adjust(volunteer, -20, "用掉", secretary)  # uses the oldest
    db.session.commit()
    # Before the date the volunteer sees what is coming.
    assert expiry.upcoming_expiry(volunteer.id, date(2025, 2, 20)) == [
        (date(2025, 2, 28), 30),
        (date(2025, 3, 31), 30),
    ]
    result = runner.invoke(args=["points", "expire", "--today", "2025-03-01"])
    assert result.exit_code == 0, result.output
    assert "1 expire entries" in result.output
    again = runner.invoke(args=["points", "expire", "--today", "2025-03-01"])
    assert "0 expire entries" in again.output
    assert assert_consistent(volunteer.id) == 30
    runner.invoke(args=["points", "expire", "--today", "2025-04-01"])
    assert assert_consistent(volunteer.id) == 0
    expired = list(
        db.session.scalars(
            select(LedgerEntry.delta)
            .where(LedgerEntry.kind == EntryKind.EXPIRE)
            .order_by(LedgerEntry.id)
        )
    )
    assert expired == [-30, -30]


def test_expire_command_rejects_a_bad_date(runner, world):
    result = runner.invoke(args=["points", "expire", "--today", "tomorrow"])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output


def test_without_an_expiry_rule_nothing_expires(world, runner):
    ledger.award(world.users["volunteer"], 10, "好事", world.users["secretary_a"])
    db.session.commit()
    assert expiry.upcoming_expiry(world.users["volunteer"].id) == []
    result = runner.invoke(args=["points", "expire", "--today", "2099-01-01"])
    assert "0 expire entries" in result.output


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["award", "adjust", "spend", "expire"]),
        st.integers(min_value=-60, max_value=60),
    ),
    max_size=25,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPERATIONS)
def test_ledger_invariants_hold_for_any_sequence(world, make_user, ops):
    """Property: whatever happens, balance == sum of entries, running balances are right and
    never negative; refused operations change nothing."""
    from alliance.accounts.models import Role

    user = make_user(community=world.a, roles=(Role.VOLUNTEER,))
    secretary = world.users["secretary_a"]
    expected = 0
    for kind, amount in ops:
        try:
            if kind == "award":
                ledger.award(user, amount, "好事", secretary)
            elif kind == "adjust":
                ledger.adjust(user, amount, "更正", secretary)
            else:
                ledger.post_entry(
                    user_id=user.id,
                    community_id=world.a.id,
                    kind=EntryKind.SPEND if kind == "spend" else EntryKind.EXPIRE,
                    delta=-(abs(amount) or 1),
                )
        except PointsError:
            db.session.rollback()
            assert assert_consistent(user.id) == expected
            continue
        db.session.commit()
        expected += -(abs(amount) or 1) if kind in ("spend", "expire") else amount
        assert assert_consistent(user.id) == expected
