"""Points (积分): the append-only ledger, rules, expiry, exchange at members (积分兑换)."""
