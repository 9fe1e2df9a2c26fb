from tests.authz.matrix import Case, only, signed_in

SECRETARIES = ("secretary_a", "secretary_b")

ROWS = {
    "notifications.preferences": Case("GET", "/me/notifications", signed_in(200)),
    "notifications.outbox": Case("GET", "/notifications/outbox", only(*SECRETARIES)),
    # An empty submission: secretaries get the form back with its errors (422).
    "notifications.broadcast": Case("POST", "/notifications/broadcast", only(*SECRETARIES, ok=422)),
}
