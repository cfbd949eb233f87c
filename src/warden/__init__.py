"""Warden: AI-assisted compliance and risk operations for crypto exchanges."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("warden")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"
