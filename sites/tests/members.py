"""Site members for tests."""

from model_bakery import baker

from sites.models import Membership, Role, Site


def member_of(site: Site, role: Role, email: str):
    """Make a user who is a member of the site with this role."""
    user = baker.make("accounts.User", email=email)
    baker.make(Membership, site=site, user=user, role=role)
    return user
