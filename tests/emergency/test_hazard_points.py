"""A point's life: photos at a check (the photo rules, shown to those allowed), editing (audited)
and retiring it (it leaves rounds and the map, keeps its history)."""

import io

from PIL import Image
from sqlalchemy import func, select

from alliance.audit.models import AuditEntry
from alliance.emergency import hazards
from alliance.emergency.hazard_models import HazardCheck, HazardCheckPhoto, HazardPoint
from alliance.extensions import db


def _jpeg(size=(40, 30)) -> bytes:
    buf = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: must not survive the re-encoding
    Image.new("RGB", size, (30, 120, 200)).save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def _point(world, name="桥下低洼点", **kw):
    kw.setdefault("grid_id", world.grid.id)
    point = hazards.create_point(
        world.a,
        hazards.PointInput(kind="low_lying", name=name, **kw),
        actor=world.users["secretary_a"],
    )
    db.session.commit()
    return point


def _round(world, name="7月汛前排查"):
    found = hazards.start_round(
        world.a, name=name, inspector="volunteer", actor=world.users["secretary_a"]
    )
    db.session.commit()
    return found


def _check(round_id, point_id) -> HazardCheck:
    return db.session.scalars(
        select(HazardCheck).where(
            HazardCheck.round_id == round_id, HazardCheck.point_id == point_id
        )
    ).one()


def test_the_inspector_attaches_photos_seen_on_the_points_history(world, as_user, _hazard_photos):
    point = _point(world, grid_id=None)
    check = _check(_round(world).id, point.id)
    phone = as_user("volunteer")
    form = phone.get(f"/emergency/hazards/checks/{check.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'type="file"' in form
    r = phone.post(
        f"/emergency/hazards/checks/{check.id}",
        data={
            "result": "found",
            "note": "墙体开裂",
            "photos": [(io.BytesIO(_jpeg()), "a.jpg"), (io.BytesIO(_jpeg()), "b.jpg")],
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    photos = db.session.scalars(select(HazardCheckPhoto).order_by(HazardCheckPhoto.id)).all()
    assert len(photos) == 2 and all(p.check_id == check.id for p in photos)
    assert sorted(f.name for f in _hazard_photos.iterdir()) == sorted(p.name for p in photos)
    # The stored file is a clean re-encoding: the camera's EXIF is gone.
    stored = Image.open(_hazard_photos / photos[0].name)
    assert stored.format == "JPEG" and not stored.getexif()

    history = as_user("secretary_a").get(f"/emergency/hazards/{point.id}").get_data(True)
    for p in photos:
        assert f'src="/emergency/hazards/photos/{p.id}"' in history
    image = as_user("grid").get(f"/emergency/hazards/photos/{photos[0].id}")
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert image.headers["Cache-Control"] == "private, no-store"
    # The inspector sees their own photo; a resident and another community do not.
    assert as_user("volunteer").get(f"/emergency/hazards/photos/{photos[0].id}").status_code == 200
    assert as_user("resident").get(f"/emergency/hazards/photos/{photos[0].id}").status_code == 404
    assert (
        as_user("secretary_b").get(f"/emergency/hazards/photos/{photos[0].id}").status_code == 404
    )


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(world, as_user, _hazard_photos):
    point = _point(world, grid_id=None)
    check = _check(_round(world).id, point.id)
    phone = as_user("volunteer")
    r = phone.post(
        f"/emergency/hazards/checks/{check.id}",
        data={"result": "ok", "photos": [(io.BytesIO(b"%PDF-1.4 not an image"), "x.pdf")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert "文件不是有效的图片" in r.get_data(as_text=True)
    too_many = phone.post(
        f"/emergency/hazards/checks/{check.id}",
        data={"result": "ok", "photos": [(io.BytesIO(_jpeg()), f"{n}.jpg") for n in range(4)]},
        content_type="multipart/form-data",
    )
    assert too_many.status_code == 422
    assert "每次检查最多上传 3 张照片" in too_many.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(HazardCheck, check.id).result is None
    assert db.session.scalar(select(func.count(HazardCheckPhoto.id))) == 0
    assert not _hazard_photos.exists() or not any(_hazard_photos.iterdir())


def test_the_secretary_edits_every_field_and_the_change_is_audited(world, as_user):
    point = _point(world, responsible="volunteer")
    client = as_user("secretary_a")
    page = client.get(f"/emergency/hazards/{point.id}").get_data(as_text=True)
    assert 'id="edit-point"' in page and 'value="桥下低洼点"' in page
    r = client.post(
        f"/emergency/hazards/{point.id}",
        data={
            "edit-kind": "river",
            "edit-name": "南河桥",
            "edit-estate_id": str(world.estate_a.id),
            "edit-grid_id": "",
            "edit-latitude": "29.1",
            "edit-longitude": "119.7",
            "edit-responsible": "merchant",
            "edit-check_every_days": "2",
            "edit-description": "桥墩冲刷",
        },
    )
    assert r.status_code == 303
    db.session.expire_all()
    edited = db.session.get(HazardPoint, point.id)
    assert (
        edited.kind,
        edited.name,
        edited.grid_id,
        edited.latitude,
        edited.responsible_id,
        edited.check_every_days,
        edited.description,
    ) == ("river", "南河桥", None, 29.1, world.users["merchant"].id, 2, "桥墩冲刷")
    entry = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.object_type == "HazardPoint",
            AuditEntry.object_id == point.id,
            AuditEntry.action == "update",
        )
    ).one()
    assert entry.before["name"] == "桥下低洼点" and entry.after["name"] == "南河桥"
    assert entry.actor_id == world.users["secretary_a"].id
    log = client.get(f"/communities/{world.a.id}/audit").get_data(as_text=True)
    assert f"修改了 隐患点 #{point.id}（南河桥）" in log
    # Bad input is refused on the form with nothing changed; the grid worker cannot edit.
    bad = client.post(
        f"/emergency/hazards/{point.id}",
        data={"edit-kind": "river", "edit-name": "南河桥", "edit-check_every_days": "0"},
    )
    assert bad.status_code == 422 and "汛期检查间隔是 1 到 365 天" in bad.get_data(as_text=True)
    assert as_user("grid").post(f"/emergency/hazards/{point.id}", data={}).status_code == 403


def test_a_retired_point_leaves_rounds_and_the_map_and_keeps_its_history(world, as_user):
    kept = _point(world, name="留用点", latitude=29.08, longitude=119.64)
    gone = _point(world, name="已拆除危房", latitude=29.09, longitude=119.65)
    first = _round(world)
    hazards.record_check(_check(first.id, gone.id), result="ok", note="", actor=world.users["grid"])
    db.session.commit()
    second = _round(world, name="8月排查")
    client = as_user("secretary_a")
    r = client.post(f"/emergency/hazards/{gone.id}/retire", data={"retire-reason": ""})
    assert r.status_code == 422 and "请写明停用原因" in r.get_data(as_text=True)
    r = client.post(f"/emergency/hazards/{gone.id}/retire", data={"retire-reason": "已拆除"})
    assert r.status_code == 303
    page = client.get(f"/emergency/hazards/{gone.id}").get_data(as_text=True)
    assert "停用原因：已拆除" in page and 'id="edit-point"' not in page
    # Its July check stays in the history; it left the August round (not yet checked).
    assert "7月汛前排查" in page
    assert {
        c.point_id
        for c in db.session.scalars(select(HazardCheck).where(HazardCheck.round_id == second.id))
    } == {kept.id}
    assert "已检查 0 / 1" in client.get(f"/emergency/hazards/rounds/{second.id}").get_data(True)
    third = _round(world, name="9月排查")
    assert (
        _check(third.id, kept.id)
        and db.session.scalar(
            select(func.count(HazardCheck.id)).where(HazardCheck.round_id == third.id)
        )
        == 1
    )
    map_page = client.get("/emergency/map").get_data(as_text=True)
    assert "留用点" in map_page and "已拆除危房" not in map_page
    assert (
        client.post(
            f"/emergency/hazards/{gone.id}/retire", data={"retire-reason": "again"}
        ).status_code
        == 409
    )
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "HazardPoint", AuditEntry.object_id == gone.id)
        .order_by(AuditEntry.id.desc())
    ).first()
    assert entry.after.get("retired") is True and entry.after.get("retired_reason") == "已拆除"


def test_the_points_page_title_is_its_name_alone(world, as_user):
    """The edit and retire forms belong in the page, not in the browser tab's title."""
    point = hazards.create_point(
        world.a,
        hazards.PointInput(kind="low_lying", name="甲一低洼路口", estate_id=world.estate_a.id),
        actor=None,
    )
    db.session.commit()
    page = as_user("secretary_a").get(f"/emergency/hazards/{point.id}").get_data(as_text=True)
    title = page[page.index("<title>") + 7 : page.index("</title>")]
    assert title.startswith("甲一低洼路口") and "<" not in title and "修改隐患点" not in title
    assert page.count('id="edit-point"') == 1
