"""Visits: recorded page views and events, and the stats read from them."""
