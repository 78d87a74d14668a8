"""The pure detection core: no Faust, no Kafka; deterministic functions over schemas."""
