"""API plumbing shared by every app: errors, pagination, authentication, service views."""
