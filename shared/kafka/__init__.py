"""Kafka clients configured the PdZ way (kafka-python)."""
