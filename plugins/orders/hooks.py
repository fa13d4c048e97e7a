"""Hook implementations of the orders plugin."""

from core.plugins import hookimpl
from plugins.orders.models import MODELS


@hookimpl
def register_models():
    return MODELS
