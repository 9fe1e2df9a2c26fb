"""Volunteer activities: slots, sign-ups, attendance, hours, records and the leaderboard."""
