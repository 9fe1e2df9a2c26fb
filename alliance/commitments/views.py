"""Commitment pages: the public board, each commitment and its history, and the workflows."""

from flask import Blueprint, abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from alliance.commitments.models import Commitment
from alliance.extensions import db

bp = Blueprint("commitments", __name__, url_prefix="/commitments")


@bp.get("/<int:commitment_id>")
def detail(commitment_id: int):
    commitment = db.session.scalars(
        select(Commitment)
        .where(Commitment.id == commitment_id)
        .options(
            selectinload(Commitment.offer),
            selectinload(Commitment.service),
            selectinload(Commitment.merchant),
        )
    ).first()
    if commitment is None or not commitment.is_public:
        abort(404)
    return render_template("commitments/detail.html", commitment=commitment)
