"""The stats API: Plausible-compatible queries over visits and sessions."""
