"""Sites: the websites owners track, and who may see them."""
