"""Volunteers (志愿者): applications, profiles, suspension."""
