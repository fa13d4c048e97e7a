"""Hook implementations of the pricing plugin."""

from core.plugins import hookimpl
from plugins.pricing.models import MODELS


@hookimpl
def register_models():
    return MODELS
