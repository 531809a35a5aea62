"""Webcare Triage: collect public mentions, classify them and route them to the right team."""

__version__ = "0.1.0"
