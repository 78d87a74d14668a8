"""Faust adapter: topics, tables, agents and metrics around the pure detection core."""
