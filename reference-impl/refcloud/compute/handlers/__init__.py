"""Handlers of the servers API, one module per resource."""
