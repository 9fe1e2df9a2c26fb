def test_openapi_document_lists_every_api_route(client, app):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.")
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/api/v1/", "/open311/v2/")):
            path = rule.rule
            for arg in rule.arguments:
                path = path.replace(f"<int:{arg}>", f"{{{arg}}}").replace(f"<{arg}>", f"{{{arg}}}")
            assert path in documented, f"{path} missing from /api/openapi.json"
    assert "ErrorBody" in doc["components"]["schemas"]
