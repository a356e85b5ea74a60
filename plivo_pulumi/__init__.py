"""Plivo phone-number bindings as code, for Pulumi."""

__version__ = "0.1.0"
