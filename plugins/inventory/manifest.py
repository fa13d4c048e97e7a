from core.plugins import Manifest

MANIFEST = Manifest(
    name="inventory",
    version="0.1.0",
    summary="Stock modes (unlimited / quota / erp), atomic deduction and release",
    depends=("catalog",),
)
