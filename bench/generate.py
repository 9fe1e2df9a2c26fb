"""Build a large district in a dedicated PostgreSQL database, fast (COPY, not the ORM).

    python -m bench.generate --database-url postgresql://postgres@127.0.0.1:5432/alliance_bench

The database is dropped and created again. The schema comes from the migrations
(``flask db upgrade``; ``BENCH_SCHEMA=create_all`` builds it from the models instead). Rows are written with PostgreSQL COPY through psycopg 3, with
explicit ids, then every id sequence is moved past the largest id.

What it builds (one street office, "BENCH"):

* 5 communities (B01..B05), 4 estates each
* 1 street officer, 5 secretaries, 1,000 members (200 per community, 5 published integrity
  commitments each with an offer: 5,000 commitments and offers), an owner per member
* 10,000 volunteers (profiles, points accounts) with 10,000 volunteer cards
* 200,000 redemptions over the last year, 50,000 orders (工单) in every state with one timeline
  event each, 500,000 points-ledger entries (50 per volunteer, running balances kept)

Logins (password: DEMO_PASSWORD, default "alliance2026"): ``bench_sec_1`` (secretary of B01),
``bench_m_1`` (owner of B01's member no. 1), ``bench_v_1`` (volunteer of B01 with a card).
"""

import argparse
import hashlib
import os
import random
import secrets
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql

COMMUNITIES = 5
MEMBERS = 1_000
COMMITMENTS_PER_MEMBER = 5
VOLUNTEERS = 10_000
REDEMPTIONS = 200_000
ORDERS = 50_000
LEDGER_PER_VOLUNTEER = 50  # 500,000 entries
ESTATES_PER_COMMUNITY = 4
CATEGORIES_PER_COMMUNITY = 8

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
MERCHANT_CATEGORIES = ["catering", "bakery", "pharmacy", "cinema", "finance", "retail", "living"]
ORDER_STATES = [
    ("submitted", 10),
    ("dispatched", 10),
    ("accepted", 5),
    ("in_progress", 10),
    ("done", 15),
    ("reviewed", 25),
    ("closed", 15),
    ("cancelled", 5),
    ("escalated", 5),
]
SERVICE_CATEGORIES = [
    ("repair", "家电维修"),
    ("plumbing", "水电维修"),
    ("elderly", "助老陪护"),
    ("cleaning", "家政保洁"),
    ("legal", "法律咨询"),
    ("medical", "就医帮扶"),
    ("tutoring", "课业辅导"),
    ("other", "其他需求"),
]


def postgres_url(url: str) -> str:
    """psycopg's spelling of a SQLAlchemy-style URL."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def sqlalchemy_url(url: str) -> str:
    return "postgresql+psycopg://" + postgres_url(url)[len("postgresql://") :]


def recreate_database(url: str) -> None:
    info = psycopg.conninfo.conninfo_to_dict(postgres_url(url))
    name = info["dbname"]
    admin = psycopg.conninfo.make_conninfo(postgres_url(url), dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def create_schema(url: str) -> None:
    from alliance import create_app
    from alliance.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "SQLALCHEMY_ENGINE_OPTIONS": {}}
    )
    with app.app_context():
        if os.environ.get("BENCH_SCHEMA") == "create_all":
            db.create_all()
        else:
            from flask_migrate import upgrade

            upgrade()
        db.engine.dispose()


class Writer:
    """COPY rows into tables and say how long each took."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        self.timings: list[tuple[str, int, float]] = []

    def copy(self, table: str, columns: list[str], rows) -> int:
        started = time.perf_counter()
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        count = 0
        with self.conn.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        elapsed = time.perf_counter() - started
        self.timings.append((table, count, elapsed))
        print(f"  {table:<28} {count:>9,} rows  {elapsed:6.2f} s", flush=True)
        return count


def person_name(i: int) -> str:
    from alliance.demo.names import person_name as name

    return name(i)


def generate(url: str, *, seed: int = 20260501) -> dict:
    from werkzeug.security import generate_password_hash

    from alliance.cards import codes

    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    naive_now = now.replace(tzinfo=None)  # UTCDateTime stores naive UTC
    today = now.astimezone(LOCAL_TZ).date()
    password = os.environ.get("DEMO_PASSWORD", "alliance2026")
    password_hash = generate_password_hash(password)

    started = time.perf_counter()
    print(f"database {postgres_url(url)}")
    recreate_database(url)
    create_schema(url)
    print(f"  schema (flask db upgrade)     {time.perf_counter() - started:6.2f} s")

    with psycopg.connect(postgres_url(url)) as conn:
        # Rows are consistent by construction: skip the per-row foreign-key triggers while
        # loading (the constraints stay; later writes are checked as usual).
        conn.execute("SET session_replication_role = replica")
        w = Writer(conn)
        w.copy(
            "street_offices",
            ["id", "code", "name", "created_at"],
            [(1, "BENCH", "基准测试街道", naive_now)],
        )
        community_ids = list(range(1, COMMUNITIES + 1))
        w.copy(
            "communities",
            ["id", "street_office_id", "code", "name", "district", "created_at"],
            [(c, 1, f"B{c:02d}", f"基准第{c}社区", "基准区", naive_now) for c in community_ids],
        )
        estates = {
            c: [(c - 1) * ESTATES_PER_COMMUNITY + e + 1 for e in range(ESTATES_PER_COMMUNITY)]
            for c in community_ids
        }
        w.copy(
            "estates",
            ["id", "community_id", "name"],
            [(e, c, f"第{i + 1}小区") for c in community_ids for i, e in enumerate(estates[c])],
        )

        # --- people ------------------------------------------------------------------
        users, roles = [], []

        def add_user(uid, username, name, community_id, role, street_office_id=None):
            users.append(
                (
                    uid,
                    username,
                    f"139{uid:08d}",
                    name,
                    password_hash,
                    secrets.token_urlsafe(24),
                    community_id,
                    street_office_id,
                    "zh_CN",
                    True,
                    0,
                    naive_now,
                )
            )
            roles.append((len(roles) + 1, uid, role, naive_now))

        add_user(1, "bench_street", "街道干部", None, "street_officer", 1)
        for c in community_ids:
            add_user(1 + c, f"bench_sec_{c}", person_name(c), c, "secretary")
        first_owner = 2 + COMMUNITIES
        per_community_members = MEMBERS // COMMUNITIES
        merchants = []  # (id, community_id)
        for m in range(1, MEMBERS + 1):
            c = (m - 1) // per_community_members + 1
            add_user(
                first_owner + m - 1, f"bench_m_{m}", person_name(1000 + m), c, "merchant_staff"
            )
            merchants.append((m, c))
        first_volunteer = first_owner + MEMBERS
        per_community_volunteers = VOLUNTEERS // COMMUNITIES
        volunteers = []  # (profile id, user id, community_id)
        for v in range(1, VOLUNTEERS + 1):
            c = (v - 1) // per_community_volunteers + 1
            uid = first_volunteer + v - 1
            add_user(uid, f"bench_v_{v}", person_name(5000 + v), c, "volunteer")
            roles.append((len(roles) + 1, uid, "resident", naive_now))
            volunteers.append((v, uid, c))
        w.copy(
            "users",
            [
                "id",
                "username",
                "phone",
                "display_name",
                "password_hash",
                "login_token",
                "community_id",
                "street_office_id",
                "locale",
                "active",
                "failed_logins",
                "created_at",
            ],
            users,
        )
        w.copy("user_roles", ["id", "user_id", "role", "created_at"], roles)

        # --- members -----------------------------------------------------------------
        w.copy(
            "merchants",
            [
                "id",
                "community_id",
                "number",
                "name",
                "category",
                "estate_id",
                "address",
                "status",
                "created_at",
                "contact_name",
                "contact_phone",
                "licence_no",
                "status_reason",
            ],
            [
                (
                    m,
                    c,
                    (m - 1) % per_community_members + 1,
                    f"基准商户{m}号店",
                    MERCHANT_CATEGORIES[m % len(MERCHANT_CATEGORIES)],
                    rng.choice(estates[c]),
                    f"基准路{m}号",
                    "active",
                    naive_now,
                    person_name(1000 + m),
                    f"138{m:08d}",
                    f"91330000MA{m:08d}",
                    "",
                )
                for m, c in merchants
            ],
        )
        w.copy(
            "merchant_staff",
            ["id", "merchant_id", "user_id", "is_owner", "created_at"],
            [(m, m, first_owner + m - 1, True, naive_now) for m, _c in merchants],
        )

        # --- commitments and offers --------------------------------------------------
        commitments, offers = [], []
        offers_of = {}  # merchant id -> [(offer id, title, rate)]
        for m, c in merchants:
            for k in range(COMMITMENTS_PER_MEMBER):
                cid = (m - 1) * COMMITMENTS_PER_MEMBER + k + 1
                rate = rng.choice([70, 75, 80, 85, 88, 90, 95])
                title = f"持卡享{rate // 10}.{rate % 10}折（第{k + 1}项）"
                published = naive_now - timedelta(days=rng.randint(1, 300))
                commitments.append(
                    (
                        cid,
                        c,
                        m,
                        uuid.uuid4().hex,
                        1,
                        "integrity",
                        title,
                        "明码标价，诚信经营。",
                        "published",
                        "",
                        f"{title} 基准商户{m}号店 诚信经营".lower(),
                        published,
                        published,
                        published,
                    )
                )
                offers.append(
                    (
                        cid,
                        cid,
                        rng.choice(["both", "both", "volunteer"]),
                        rate,
                        "凭卡消费",
                        "",
                        "unlimited",
                        False,
                    )
                )
                offers_of.setdefault(m, []).append((cid, title, rate))
        w.copy(
            "commitments",
            [
                "id",
                "community_id",
                "merchant_id",
                "lineage",
                "version",
                "kind",
                "title",
                "body",
                "status",
                "reason",
                "search_text",
                "created_at",
                "updated_at",
                "published_at",
            ],
            commitments,
        )
        w.copy(
            "commitment_offers",
            [
                "id",
                "commitment_id",
                "qualifies",
                "rate_percent",
                "conditions",
                "exclusions",
                "usage_period",
                "requires_rotating",
            ],
            offers,
        )

        # --- volunteers and cards ----------------------------------------------------
        w.copy(
            "volunteer_profiles",
            [
                "id",
                "user_id",
                "community_id",
                "name",
                "phone",
                "estate_id",
                "building",
                "skills",
                "availability",
                "status",
                "status_reason",
                "joined_at",
            ],
            [
                (
                    v,
                    uid,
                    c,
                    person_name(5000 + v),
                    f"139{uid:08d}",
                    rng.choice(estates[c]),
                    f"{rng.randint(1, 30)}幢",
                    "",
                    "",
                    "active",
                    "",
                    naive_now,
                )
                for v, uid, c in volunteers
            ],
        )
        cards = []
        numbers = dict.fromkeys(community_ids, 0)
        for v, uid, c in volunteers:
            numbers[c] += 1
            cards.append(
                (
                    v,
                    f"B{c:02d}-{numbers[c]:06d}",
                    c,
                    "volunteer",
                    uid,
                    "active",
                    "",
                    today - timedelta(days=100),
                    today + timedelta(days=3 * 365),
                    codes.new_static_code(),
                    codes.new_rotating_id(),
                    codes.new_totp_secret(),
                    naive_now,
                )
            )
        w.copy(
            "cards",
            [
                "id",
                "number",
                "community_id",
                "kind",
                "holder_id",
                "status",
                "status_reason",
                "valid_from",
                "valid_until",
                "code",
                "rotating_id",
                "totp_secret",
                "created_at",
            ],
            cards,
        )
        w.copy("card_sequences", ["community_id", "last_value"], list(numbers.items()))

        # --- redemptions -------------------------------------------------------------
        members_of = {c: [m for m, mc in merchants if mc == c] for c in community_ids}

        def redemption_rows():
            for r in range(1, REDEMPTIONS + 1):
                card_id, uid, c = volunteers[rng.randrange(VOLUNTEERS)]
                m = rng.choice(members_of[c])
                offer_id, title, rate = rng.choice(offers_of[m])
                bill = rng.randint(500, 50_000)
                saving = bill - (bill * rate + 50) // 100
                at = naive_now - timedelta(seconds=rng.randint(0, 365 * 86400))
                local_day = at.replace(tzinfo=UTC).astimezone(LOCAL_TZ).date()
                yield (
                    r,
                    card_id,
                    uid,
                    offer_id,
                    m,
                    c,
                    first_owner + m - 1,
                    "static",
                    title,
                    rate,
                    bill,
                    saving,
                    "-",
                    local_day,
                    f"bench-{r}",
                    hashlib.sha256(b"bench%d" % r).hexdigest(),
                    at,
                )

        w.copy(
            "card_redemptions",
            [
                "id",
                "card_id",
                "holder_id",
                "offer_id",
                "merchant_id",
                "community_id",
                "staff_id",
                "code_type",
                "offer_title",
                "rate_percent",
                "bill_fen",
                "saving_fen",
                "period_key",
                "local_day",
                "idempotency_key",
                "fingerprint",
                "created_at",
            ],
            redemption_rows(),
        )

        # --- orders (工单) -------------------------------------------------------------
        categories = {}
        category_rows = []
        for c in community_ids:
            for i, (code, name) in enumerate(SERVICE_CATEGORIES):
                cat_id = len(category_rows) + 1
                category_rows.append(
                    (cat_id, c, code, name, "", "", "", 72, 24, 2, True, i, naive_now)
                )
                categories.setdefault(c, []).append(cat_id)
        w.copy(
            "service_categories",
            [
                "id",
                "community_id",
                "code",
                "name",
                "description",
                "group",
                "keywords",
                "limit_normal_hours",
                "limit_urgent_hours",
                "limit_emergency_hours",
                "active",
                "position",
                "created_at",
            ],
            category_rows,
        )
        state_names = [s for s, _w in ORDER_STATES]
        state_weights = [wgt for _s, wgt in ORDER_STATES]
        vols_of = {c: [uid for _v, uid, vc in volunteers if vc == c] for c in community_ids}
        orders, events = [], []
        for o in range(1, ORDERS + 1):
            c = (o - 1) % COMMUNITIES + 1
            state = rng.choices(state_names, state_weights)[0]
            submitted = naive_now - timedelta(seconds=rng.randint(0, 365 * 86400))
            month = submitted.replace(tzinfo=UTC).astimezone(LOCAL_TZ).strftime("%Y-%m")
            provider = (
                None
                if state in ("submitted", "cancelled", "escalated")
                else rng.choice(members_of[c])
            )
            resolved = (
                submitted + timedelta(hours=30) if state in ("done", "reviewed", "closed") else None
            )
            orders.append(
                (
                    o,
                    c,
                    rng.choice(categories[c]),
                    rng.choice(vols_of[c]),
                    f"需要帮助（第{o}单）",
                    "请尽快联系。",
                    rng.choice(estates[c]),
                    f"{rng.randint(1, 30)}幢",
                    "normal",
                    "inbox",
                    "",
                    None,
                    "",
                    state,
                    1,
                    "merchant" if provider else None,
                    provider,
                    state == "escalated",
                    "",
                    "",
                    rng.randint(3, 5) if state == "reviewed" else None,
                    "",
                    submitted,
                    month,
                    submitted + timedelta(hours=72),
                    submitted + timedelta(hours=2) if provider else None,
                    resolved,
                    submitted + timedelta(hours=1),
                    "web",
                    secrets.token_urlsafe(12),
                    "",
                    "",
                )
            )
            events.append((o, o, c, None, "submit", None, "submitted", "", submitted))
        w.copy(
            "help_requests",
            [
                "id",
                "community_id",
                "category_id",
                "requester_id",
                "title",
                "description",
                "estate_id",
                "building",
                "urgency",
                "contact_method",
                "contact_name",
                "contact_phone",
                "contact_email",
                "state",
                "version",
                "provider_kind",
                "provider_merchant_id",
                "escalated",
                "escalation_reason",
                "last_note",
                "rating",
                "review_comment",
                "submitted_at",
                "submitted_month",
                "due_at",
                "first_dispatched_at",
                "resolved_at",
                "updated_at",
                "source",
                "token",
                "on_behalf_name",
                "address_text",
            ],
            orders,
        )
        w.copy(
            "help_request_events",
            [
                "id",
                "help_request_id",
                "community_id",
                "actor_id",
                "action",
                "from_state",
                "to_state",
                "note",
                "created_at",
            ],
            events,
        )

        # --- points ------------------------------------------------------------------
        w.copy(
            "points_rules",
            [
                "id",
                "community_id",
                "points_per_hour",
                "emergency_percent",
                "night_percent",
                "night_start_hour",
                "night_end_hour",
                "updated_at",
            ],
            [(c, c, 10, 200, 150, 22, 6, naive_now) for c in community_ids],
        )
        w.copy(
            "points_accounts",
            ["id", "user_id", "community_id", "balance", "show_name", "created_at"],
            [(v, uid, c, 0, v % 3 == 0, naive_now) for v, uid, c in volunteers],
        )

        def ledger_rows():
            entry = 0
            for v, uid, c in volunteers:
                balance = 0
                start = naive_now - timedelta(days=365)
                for k in range(LEDGER_PER_VOLUNTEER):
                    entry += 1
                    if balance >= 30 and k % 5 == 4:
                        kind, delta, reason = "spend", -rng.randint(10, min(balance, 50)), "兑换"
                    elif k % 10 == 9:
                        kind, delta, reason = "award", rng.randint(5, 20), "赋分"
                    else:
                        kind, delta, reason = "earn", rng.randint(5, 40), "志愿服务"
                    balance += delta
                    at = start + timedelta(days=k * 7, minutes=v % 1440)
                    yield (entry, v, uid, c, kind, delta, balance, reason, at)

        w.copy(
            "points_ledger",
            [
                "id",
                "account_id",
                "user_id",
                "community_id",
                "kind",
                "delta",
                "balance_after",
                "reason",
                "created_at",
            ],
            ledger_rows(),
        )
        step = time.perf_counter()
        # The cached balance is the last entry's balance_after (the ledger is the truth).
        conn.execute(
            "UPDATE points_accounts a SET balance = l.balance_after FROM "
            "(SELECT DISTINCT ON (account_id) account_id, balance_after FROM points_ledger "
            "ORDER BY account_id, id DESC) l WHERE l.account_id = a.id"
        )
        print(f"  points_accounts.balance      {time.perf_counter() - step:6.2f} s")

        # --- sequences and statistics ------------------------------------------------
        step = time.perf_counter()
        tables = conn.execute(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'id' "
            "AND column_default LIKE 'nextval%'"
        ).fetchall()
        for (table,) in tables:
            conn.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({t}, 'id'), "
                    "COALESCE((SELECT max(id) FROM {i}), 0) + 1, false)"
                ).format(t=sql.Literal(table), i=sql.Identifier(table))
            )
        conn.commit()
        print(f"  sequences                    {time.perf_counter() - step:6.2f} s")
    step = time.perf_counter()
    with psycopg.connect(postgres_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE               {time.perf_counter() - step:6.2f} s")
    total = time.perf_counter() - started
    print(f"total {total:.1f} s")
    return {"timings": w.timings, "total": total}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/alliance_bench"
        ),
    )
    parser.add_argument("--seed", type=int, default=20260501)
    args = parser.parse_args(argv)
    generate(args.database_url, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
