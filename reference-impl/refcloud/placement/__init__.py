"""The Placement API: handlers per resource, schemas beside them."""
