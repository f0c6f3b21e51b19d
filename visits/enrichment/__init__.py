"""Pure functions that turn what a tracker sends into what a dashboard shows."""
