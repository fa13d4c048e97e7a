"""Hook implementations of the catalog plugin."""

from core.plugins import hookimpl
from plugins.catalog.models import MODELS


@hookimpl
def register_models():
    return MODELS
