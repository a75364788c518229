"""JSON Schemas of the servers API's request bodies, one module per resource."""
