"""Piccolo's configuration: the engine from Saekdam's settings and the apps, in migration order."""

from piccolo.conf.apps import AppRegistry

from app.core.db import make_engine
from app.core.settings import get_settings

DB = make_engine(get_settings())

APP_REGISTRY = AppRegistry(
    apps=[
        "piccolo_api.session_auth.piccolo_app",
        "app.accounts.piccolo_app",
        "app.themes.piccolo_app",
        "app.tasks.piccolo_app",
        "app.board.piccolo_app",
    ]
)
