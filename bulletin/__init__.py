"""Bản tin: a static site generator for news bulletins."""

__version__ = "0.1.0"
