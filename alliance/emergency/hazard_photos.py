"""Photos taken at a hazard check, under the help requests' photo rules (images only, 5 MB each,
re-encoded without EXIF or GPS, written whole or not at all, removed if the check is not saved).

Who sees them: the community's staff (secretary, grid workers), the check's inspector, and the
person responsible for and the re-checker of the notice the check opened.
"""

import os

from flask import current_app
from sqlalchemy import select

from alliance.accounts.models import User
from alliance.emergency.hazard_models import HazardCheck, HazardCheckPhoto, RectificationNotice
from alliance.emergency.services import EmergencyError
from alliance.extensions import db
from alliance.help_requests.photos import MAX_PHOTO_BYTES, PhotoError, photo_path, store_photo
from alliance.i18n import lazy_gettext as _l

MAX_CHECK_PHOTOS = 3
__all__ = ["MAX_CHECK_PHOTOS", "MAX_PHOTO_BYTES", "attach", "file_of", "may_see", "photo_dir"]


def photo_dir() -> str:
    path = current_app.config.get("HAZARD_PHOTO_DIR") or os.path.join(
        current_app.instance_path, "uploads", "hazards"
    )
    os.makedirs(path, exist_ok=True)
    return path


def attach(check: HazardCheck, uploads: list[bytes], *, actor: User | None) -> list:
    """Store each photo and name it on the check; a bad one refuses them all."""
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_CHECK_PHOTOS:
        raise EmergencyError(
            _l("每次检查最多上传 %(n)s 张照片。", n=MAX_CHECK_PHOTOS), field="photos"
        )
    rows = []
    for data in uploads:
        try:
            name = store_photo(data, photo_dir())
        except PhotoError as exc:  # the same message, put on the form's photos field
            raise EmergencyError(exc.message, code=exc.code, field="photos") from exc
        rows.append(
            HazardCheckPhoto(
                check_id=check.id,
                community_id=check.community_id,
                name=name,
                uploaded_by_id=actor.id if actor else None,
            )
        )
    db.session.add_all(rows)
    return rows


def may_see(user: User, photo: HazardCheckPhoto) -> bool:
    from alliance.emergency.hazards import is_staff_of

    check = photo.check
    if is_staff_of(user, check.community_id) or user.id == check.inspector_id:
        return True
    named = db.session.execute(
        select(RectificationNotice.responsible_id, RectificationNotice.rechecker_id).where(
            RectificationNotice.check_id == check.id
        )
    ).first()
    return named is not None and user.id in named


def file_of(photo: HazardCheckPhoto) -> str | None:
    return photo_path(photo.name, photo_dir())
