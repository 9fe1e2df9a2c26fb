"""/emergency/map: a Leaflet map served from the project (XStatic-Leaflet), over MAP_TILE_URL when
set, else the estates' outlines on a plain background; with a list of the same items, which is
also the page without JavaScript.

Everyone of the community sees the active hazard points, shelters and stores. Households needing
help are shown only to those who may see them (the secretary, the grid's worker, the named
people responsible), and never at an address: a household has no coordinates of its own, so it
is drawn at its estate's centre, one marker per estate naming the households the viewer may see.
"""

from flask import abort, current_app, render_template, send_from_directory
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from xstatic.pkg import leaflet

from alliance.communities.models import Estate
from alliance.emergency import hazards, households, shelters
from alliance.emergency.shelter_models import Shelter
from alliance.emergency.supply_models import SupplyStore
from alliance.emergency.web import bp, own_community
from alliance.extensions import db

LEAFLET_FILES = {"leaflet.js", "leaflet.css"}


@bp.get("/map/leaflet/<path:name>")
def leaflet_asset(name: str):
    """Leaflet's script, stylesheet and marker images, from the installed XStatic package."""
    if name in LEAFLET_FILES:
        return send_from_directory(leaflet.BASE_DIR, name, max_age=86400)
    image = name.removeprefix("images/")
    if name.startswith("images/") and image.endswith(".png") and "/" not in image:
        return send_from_directory(f"{leaflet.BASE_DIR}/images", image, max_age=86400)
    abort(404)


def _at(lat, lng) -> tuple[float, float] | None:
    return (float(lat), float(lng)) if lat is not None and lng is not None else None


def _marker(layer: str, where, label: str) -> dict:
    return {"layer": layer, "lat": where[0], "lng": where[1], "label": label}


def map_items(user, community) -> dict:
    """Everything the map and its list show to `user`, one statement per kind of item."""
    estates = db.session.scalars(
        select(Estate).where(Estate.community_id == community.id).order_by(Estate.id)
    ).all()
    points = [p for p in hazards.points_of(community.id) if not p.retired]
    rows = db.session.scalars(
        select(Shelter).where(Shelter.community_id == community.id).order_by(Shelter.id)
    ).all()
    stores = db.session.scalars(
        select(SupplyStore).where(SupplyStore.community_id == community.id).order_by(SupplyStore.id)
    ).all()
    seen = [h for h in households.households_for(user) if h.community_id == community.id]
    centres = {e.id: e.centre for e in estates}
    markers = [
        _marker("hazard", _at(p.latitude, p.longitude), f"{p.name}（{p.kind_label}）")
        for p in points
        if _at(p.latitude, p.longitude)
    ]
    by_estate: dict[int, list] = {}
    for h in seen:
        by_estate.setdefault(h.estate_id, []).append(h)
    for estate in estates:
        if estate.id in by_estate and centres[estate.id]:
            names = "、".join(h.head_name for h in by_estate[estate.id])
            label = _(
                "%(estate)s 重点人群 %(n)s 户：%(names)s",
                estate=estate.name,
                n=len(by_estate[estate.id]),
                names=names,
            )
            markers.append(_marker("household", centres[estate.id], label))
    markers += [
        _marker(
            "shelter",
            _at(s.latitude, s.longitude),
            _("供餐点：%(name)s", name=s.name)
            if s.is_meal_point
            else _("安置点：%(name)s", name=s.name),
        )
        for s in rows
        if _at(s.latitude, s.longitude)
    ]
    markers += [
        _marker("store", _at(s.latitude, s.longitude), _("仓库：%(name)s", name=s.name))
        for s in stores
        if _at(s.latitude, s.longitude)
    ]
    outlines = [
        {"name": e.name, "points": [[float(a), float(b)] for a, b in e.outline]}
        for e in estates
        if e.outline
    ]
    return {
        "points": points,
        "households": seen,
        "centres": centres,
        "shelters": rows,
        "stores": stores,
        "map_data": {
            "tiles": current_app.config.get("MAP_TILE_URL") or "",
            "outlines": outlines,
            "markers": markers,
        },
    }


@bp.get("/map")
@login_required
def emergency_map():
    community = own_community()
    items = map_items(current_user, community)
    return render_template(
        "emergency/map.html",
        staff=hazards.is_staff_of(current_user, community.id),
        occupancy=shelters.occupancy([s.id for s in items["shelters"]]),
        **items,
    )
