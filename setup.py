"""Packaging for the dealer ordering platform (一点通 ERP edition).

Every built-in plugin is registered through the same entry-point group as a
third-party plugin would be (``ydt.plugins``), so there is one discovery path.
"""

from setuptools import find_packages, setup

BUILTIN_PLUGINS = ["catalog", "pricing", "inventory", "orders", "erp_yidiantong"]

setup(
    name="ydt-platform",
    version="0.1.0",
    description="Dealer self-ordering platform for furniture factories on the 一点通 ERP",
    python_requires=">=3.11",
    packages=find_packages(exclude=["tests", "tests.*", "bench"]),
    include_package_data=True,
    package_data={"": ["*.html", "*.json", "*.css", "*.js", "*.svg", "*.png", "*.jpg", "*.webp", "*.ico", "*.txt"]},
    install_requires=[
        "falcon>=3.1",
        "pluggy>=1.3",
        "peewee>=3.17",
        "psycopg2-binary>=2.9.9",
        "marshmallow>=3.20",
        "gunicorn>=21.2",
        "qrcode>=7.4",
        "Jinja2>=3.1",
        "click>=8.1",
        "apispec>=6.3",
        "argon2-cffi>=23.1",
        "openpyxl>=3.1",
        "Pillow>=10.0",
        "huey>=2.5",
        "orjson>=3.9",
    ],
    extras_require={
        "test": ["pytest>=7.4", "playwright>=1.40"],
    },
    entry_points={
        "console_scripts": ["ydt = core.cli:main"],
        "ydt.plugins": [f"{name} = plugins.{name}" for name in BUILTIN_PLUGINS],
    },
)
