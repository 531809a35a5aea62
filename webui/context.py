"""Access to the app's Settings and Database from inside a request."""

from __future__ import annotations

from flask import current_app

from monitor.config import Settings
from monitor.store.db import Database

SETTINGS_KEY = "webcare.settings"
DB_KEY = "webcare.db"


def get_settings() -> Settings:
    settings: Settings = current_app.extensions[SETTINGS_KEY]
    return settings


def get_db() -> Database:
    db: Database = current_app.extensions[DB_KEY]
    return db
