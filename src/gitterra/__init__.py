"""gitterra."""
