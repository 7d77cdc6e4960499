"""The binding's own version (read by pyproject.toml without importing the package)."""

__version__ = "0.3.0"
