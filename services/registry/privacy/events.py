"""Event types of the privacy package."""
PERSONAL_DATA_ERASED = "it.pdz.registry.personal_data.erased.v1"
