from tests.authz.matrix import Case, everyone

ROWS = {
    # The switch answers everyone with a redirect back (a visitor's choice lives in a cookie).
    "elder.set_large_text": Case("POST", "/large-text", everyone(303), data={"mode": "on"}),
    "elder.manifest": Case("GET", "/manifest.webmanifest", everyone(200)),
}
