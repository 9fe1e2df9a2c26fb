"""/emergency/map: hazard points on a Leaflet map served from the project (XStatic-Leaflet),
over MAP_TILE_URL when set, else on a plain background; with a list of every item (points,
households for those allowed, shelters, stores), which is also the page without JavaScript."""

from flask import abort, current_app, render_template, send_from_directory
from flask_login import current_user
from sqlalchemy import select
from xstatic.pkg import leaflet

from alliance.accounts.models import Role
from alliance.accounts.permissions import roles_required
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


@bp.get("/map")
@roles_required(Role.SECRETARY, Role.GRID_WORKER)
def emergency_map():
    community = own_community()
    points = hazards.points_of(community.id)
    rows = db.session.scalars(
        select(Shelter).where(Shelter.community_id == community.id).order_by(Shelter.id)
    ).all()
    stores = db.session.scalars(
        select(SupplyStore).where(SupplyStore.community_id == community.id).order_by(SupplyStore.id)
    ).all()
    markers = [
        {"lat": p.latitude, "lng": p.longitude, "label": f"{p.name}（{p.kind_label}）"}
        for p in points
        if p.latitude is not None
    ]
    return render_template(
        "emergency/map.html",
        points=points,
        households=households.households_for(current_user),
        shelters=rows,
        occupancy=shelters.occupancy([s.id for s in rows]),
        stores=stores,
        map_data={"tiles": current_app.config.get("MAP_TILE_URL") or "", "markers": markers},
    )
