from tests.authz.matrix import Case, everyone, only, signed_in

ADMIN_A = ("secretary_a", "street")

ROWS = {
    "main.index": Case("GET", "/", everyone(200)),
    "main.healthz": Case("GET", "/healthz", everyone(200)),
    "main.readyz": Case("GET", "/readyz", everyone(200)),
    "accounts.login": Case("GET", "/login", {**everyone(302), "anonymous": 200}),
    "accounts.logout": Case("POST", "/logout", everyone(302)),
    "accounts.register": Case("GET", "/register", {**everyone(302), "anonymous": 200}),
    "accounts.forgot_password": Case("GET", "/password/forgot", everyone(200)),
    "accounts.sms_reset_password": Case("GET", "/password/sms-reset", everyone(200)),
    "accounts.me": Case("GET", "/me", signed_in(200)),
    "accounts.set_language": Case("POST", "/language", everyone(302), data={"locale": "en"}),
    "communities.index": Case("GET", "/communities/", signed_in(200)),
    # Community A: its own people see it, community B's secretary gets a 404.
    "communities.detail": Case("GET", "/communities/{a}", signed_in(200) | {"secretary_b": 404}),
    "communities.people": Case("GET", "/communities/{a}/people", only(*ADMIN_A, secretary_b=404)),
    "communities.change_role": Case(
        "POST",
        "/communities/{a}/people/{a_resident}/roles",
        only(*ADMIN_A, ok=302, secretary_b=404),
        data={"role": "volunteer", "action": "grant"},
    ),
    "communities.audit": Case("GET", "/communities/{a}/audit", only(*ADMIN_A, secretary_b=404)),
}

ROWS["openapi.document"] = Case("GET", "/api/openapi.json", everyone(200))
