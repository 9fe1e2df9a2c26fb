"""The counter (柜台): scan a card, verify it, redeem an offer or exchange points.

The one room where cards, commitments (offers) and points meet: `cards` issues cards and keeps
their status and holders, `points` keeps the ledger, rules and items, and this package runs the
journey at the member's counter, on the web and through the cashier API.
"""
