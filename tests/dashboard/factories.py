"""Rows for the figures tests, written straight into the tables with chosen times."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from alliance import clock
from alliance.extensions import db
from alliance.help_requests import catalogue
from alliance.help_requests.models import HelpRequest


def local(year, month, day, hour=10):
    """A local (Asia/Shanghai) moment as aware UTC."""
    return datetime(year, month, day, hour, tzinfo=clock.LOCAL_TZ).astimezone(UTC)


def category_of(community):
    return catalogue.ensure_catalogue(community)[0]


def order_row(community, category, posted, **values):
    row = {
        "community_id": community.id,
        "category_id": category.id,
        "title": "楼道灯坏了",
        "submitted_at": posted,
        "submitted_month": clock.month_key(posted),
        "due_at": posted + timedelta(hours=72),
        "state": "submitted",
        "updated_at": posted,
    }
    row.update(values)
    return row


def insert_orders(rows):
    if rows:
        db.session.execute(insert(HelpRequest), rows)
    db.session.commit()
