"""Co-building units (共建单位) and the resources (资源清单) members, units and teams offer."""
