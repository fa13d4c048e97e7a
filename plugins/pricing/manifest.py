from core.plugins import Manifest

MANIFEST = Manifest(
    name="pricing",
    version="0.1.0",
    summary="List prices per grade, customer prices (一客一价), quotes",
    depends=("catalog",),
)
