"""In-app notifications (收件箱)."""
