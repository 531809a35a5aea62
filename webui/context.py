"""Access to the app's Settings and Database from inside a request."""

from __future__ import annotations

from flask import current_app

from monitor.classify import ModelProvider
from monitor.config import Settings
from monitor.store.db import Database

SETTINGS_KEY = "webcare.settings"
DB_KEY = "webcare.db"
MODELS_KEY = "webcare.models"


def get_settings() -> Settings:
    settings: Settings = current_app.extensions[SETTINGS_KEY]
    return settings


def get_db() -> Database:
    db: Database = current_app.extensions[DB_KEY]
    return db


def get_models() -> ModelProvider:
    """The live classifier, loaded once per app and reloaded when a new version goes live."""
    provider: ModelProvider | None = current_app.extensions.get(MODELS_KEY)
    if provider is None:
        provider = current_app.extensions[MODELS_KEY] = ModelProvider(get_db())
    return provider
