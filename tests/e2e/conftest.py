"""The browser tests use the same app and users as the web tests."""

from tests.webui.conftest import app, login, settings

__all__ = ["app", "login", "settings"]
