from core.plugins import Manifest, Setting

MANIFEST = Manifest(
    name="catalog",
    version="0.1.0",
    summary="Categories, products, images and option groups (fabric/leather grades)",
    depends=("core",),
    settings={
        "max_image_bytes": Setting(2 * 1024 * 1024, "Largest product image accepted on upload", int),
        "demo_images": Setting(2, "Pictures drawn per product when loading the demo (0-3)", int),
    },
)
