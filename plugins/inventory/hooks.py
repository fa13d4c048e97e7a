"""Hook implementations of the inventory plugin."""

from core.plugins import hookimpl
from plugins.inventory.models import MODELS


@hookimpl
def register_models():
    return MODELS
