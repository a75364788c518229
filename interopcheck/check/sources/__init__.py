"""Where ``interopcheck check`` gets its targets from (a live cloud)."""
