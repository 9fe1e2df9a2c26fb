"""Dashboards and figures reported up the line: one figures service, the /dashboard/ pages,
the public figures API and the monthly report."""
