"""JSON-Schemas of Placement's request bodies and query strings, one module per resource.

Each module also holds its version-to-schema tables (``((since, schema), ...)``,
read with ``refcloud.microversion.pick``), which the handlers and
``tools/gen_openapi.py`` share.
"""
