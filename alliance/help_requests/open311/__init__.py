"""Open311 GeoReport v2 for the service orders, and the keys secretaries issue for it."""
