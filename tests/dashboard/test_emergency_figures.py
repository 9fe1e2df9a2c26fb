"""/dashboard/'s emergency figures per month: turn-outs, hazards found and closed, people moved,
counted by the functions of the response report and equal to the rows themselves."""

import re
from datetime import date

from sqlalchemy import select

from alliance.dashboard.services import emergency_months
from alliance.emergency.hazard_models import (
    HazardCheck,
    HazardPoint,
    InspectionRound,
    RectificationNotice,
)
from alliance.emergency.models import CallUp, CallUpAnswer, EmergencyResponse, TaskForce
from alliance.emergency.shelter_models import Shelter, Transfer
from alliance.extensions import db
from tests.dashboard.factories import local

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def _records(world):
    """September and October records of A, one of B, and a drill of A (left out)."""
    users = world.users
    real = EmergencyResponse(
        scope="community",
        street_office_id=world.a.street_office_id,
        community_id=world.a.id,
        kind="flood",
        level="IV",
        reason="暴雨",
        started_at=local(2026, 9, 1),
        ended_at=local(2026, 10, 31),
    )
    drill = EmergencyResponse(
        scope="community",
        street_office_id=world.a.street_office_id,
        community_id=world.a.id,
        kind="flood",
        level="IV",
        reason="演练",
        drill=True,
        started_at=local(2026, 10, 1),
        ended_at=local(2026, 10, 2),
    )
    db.session.add_all([real, drill])
    db.session.flush()
    for community in (world.a, world.b):
        team = TaskForce(
            community_id=community.id, name="突击队", kind="party", leader_id=users["grid"].id
        )
        db.session.add(team)
        db.session.flush()
        calls = {
            "sep": CallUp(
                task_force_id=team.id,
                community_id=community.id,
                response_id=real.id,
                assembly_point="社区",
                called_at=local(2026, 9, 2),
            ),
            "oct": CallUp(
                task_force_id=team.id,
                community_id=community.id,
                response_id=real.id,
                assembly_point="社区",
                called_at=local(2026, 10, 2),
            ),
            "drill": CallUp(
                task_force_id=team.id,
                community_id=community.id,
                response_id=drill.id,
                drill=True,
                assembly_point="社区",
                called_at=local(2026, 10, 1),
            ),
        }
        db.session.add_all(calls.values())
        db.session.flush()
        arrivals = [
            ("sep", 9, 2, "volunteer"),
            ("sep", 9, 3, "grid"),
            ("sep", None, None, "resident"),
        ] + [("oct", 10, 31, "volunteer"), ("drill", 10, 1, "grid")]
        for key, month, day, who in arrivals:
            db.session.add(
                CallUpAnswer(
                    call_up_id=calls[key].id,
                    community_id=community.id,
                    user_id=users[who].id,
                    state="arrived" if month else "called",
                    arrived_at=local(2026, month, day, 23) if month else None,
                )
            )
        points = [
            HazardPoint(community_id=community.id, kind="slope", name=f"北坡{k}") for k in range(4)
        ]
        point = points[0]
        round_ = InspectionRound(
            community_id=community.id, name="排查", started_at=local(2026, 9, 1)
        )
        shelter = Shelter(community_id=community.id, name="小学", capacity=100)
        db.session.add_all([*points, round_, shelter])
        db.session.flush()
        checks = []
        for spot, (month, day, result) in zip(
            points,
            ((9, 5, "found"), (9, 6, "ok"), (10, 1, "found"), (10, 9, "found")),
            strict=True,
        ):
            check = HazardCheck(
                round_id=round_.id,
                point_id=spot.id,
                community_id=community.id,
                result=result,
                checked_at=local(2026, month, day),
            )
            checks.append(check)
        db.session.add_all(checks)
        db.session.flush()
        for k, (check, closed) in enumerate(
            ((checks[0], local(2026, 10, 3)), (checks[2], None), (checks[3], local(2026, 10, 20)))
        ):
            db.session.add(
                RectificationNotice(
                    community_id=community.id,
                    number=f"{community.id}-{k}",
                    point_id=point.id,
                    check_id=check.id,
                    round_id=round_.id,
                    deadline=date(2026, 11, 1),
                    state="closed" if closed else "open",
                    closed_at=closed,
                )
            )
        for people, moved, response in (
            (3, local(2026, 9, 30, 23), real),
            (4, local(2026, 10, 1, 1), real),
            (9, local(2026, 10, 1, 12), drill),
            (2, local(2026, 10, 15), None),
        ):
            db.session.add(
                Transfer(
                    community_id=community.id,
                    shelter_id=shelter.id,
                    response_id=response.id if response else None,
                    people=people,
                    moved_at=moved,
                )
            )
    db.session.commit()


def _direct(community_ids, first, after):
    """The same four figures counted row by row in Python, for [first, after) local months."""
    start, end = local(first.year, first.month, 1, 0), local(after.year, after.month, 1, 0)
    inside = lambda t: t is not None and start <= t < end  # noqa: E731
    drills = {r.id for r in db.session.scalars(select(EmergencyResponse)) if r.drill}
    calls = {c.id: c for c in db.session.scalars(select(CallUp))}
    turnouts = sum(
        1
        for a in db.session.scalars(select(CallUpAnswer))
        if inside(a.arrived_at)
        and calls[a.call_up_id].community_id in community_ids
        and not calls[a.call_up_id].drill
    )
    found = sum(
        1
        for c in db.session.scalars(select(HazardCheck))
        if c.community_id in community_ids and c.result == "found" and inside(c.checked_at)
    )
    closed = sum(
        1
        for n in db.session.scalars(select(RectificationNotice))
        if n.community_id in community_ids and n.state == "closed" and inside(n.closed_at)
    )
    moved = sum(
        t.people
        for t in db.session.scalars(select(Transfer))
        if t.community_id in community_ids and inside(t.moved_at) and t.response_id not in drills
    )
    return turnouts, found, closed, moved


def test_emergency_months_equal_the_rows_counted_directly(app, world):
    _records(world)
    got = emergency_months([world.a.id], [SEP, OCT])
    assert got.turnouts == [2, 1]
    assert got.hazards_found == [1, 2]
    assert got.hazards_closed == [0, 2]
    assert got.people_moved == [3, 6]
    for i, (first, after) in enumerate(((SEP, OCT), (OCT, date(2026, 11, 1)))):
        assert _direct({world.a.id}, first, after) == (
            got.turnouts[i],
            got.hazards_found[i],
            got.hazards_closed[i],
            got.people_moved[i],
        )
    both = emergency_months([world.a.id, world.b.id], [OCT])
    assert both.people_moved == [12] and both.turnouts == [2]


def test_the_dashboard_charts_them_with_a_table_and_a_text_alternative(as_user, world):
    _records(world)
    html = as_user("secretary_a").get("/dashboard/?month=2026-10&months=3").get_data(as_text=True)
    start = html.index('<figcaption class="h5">应急：出动、隐患与转移</figcaption>')
    figure = html[start : html.index("</figure>", start)]
    assert 'alt="应急：出动、隐患与转移。出动人次：2026-08 0，2026-09 2，2026-10 1；' in figure
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', figure)
    table = {
        label: re.findall(r'<td class="text-end">([^<]*)</td>', cells) for label, cells in rows
    }
    assert table == {
        "2026-08": ["0", "0", "0", "0"],
        "2026-09": ["2", "1", "0", "3"],
        "2026-10": ["1", "2", "2", "6"],
    }


def test_the_emergency_figures_cost_four_statements_whatever_the_records(
    app, world, count_statements
):
    ids = [world.a.id, world.b.id]
    with count_statements() as empty:
        emergency_months(ids, [SEP, OCT])
    _records(world)
    with count_statements() as full:
        emergency_months(ids, [SEP, OCT])
    assert empty.count == full.count == 4
