"""Settings from the environment, an optional TOML file and explicit overrides.

Precedence (last wins): defaults, ``YDT_CONFIG`` TOML file, environment
variables, keyword overrides given to :func:`load_settings`. Plugin settings
are declared in each plugin's manifest and read from ``YDT_<PLUGIN>_<KEY>``
environment variables or the ``[plugins.<name>]`` table of the config file.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Settings:
    """Platform-wide settings; one instance per app."""

    data_dir: Path = Path("./var")
    database_url: str = ""
    secret_key: str = ""
    timezone: str = "Asia/Shanghai"
    language: str = "zh-CN"
    disabled_plugins: tuple[str, ...] = ()
    session_days: int = 30
    login_max_failures: int = 5
    login_window_seconds: int = 900
    cookie_secure: bool = False
    jobs_backend: str = "sqlite"  # sqlite | redis | immediate
    redis_url: str = "redis://127.0.0.1:6379/0"
    base_url: str = "http://127.0.0.1:8000"
    max_upload_bytes: int = 5 * 1024 * 1024
    demo: bool = False
    plugin_settings: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ydt.db'}"

    def plugin(self, name: str) -> dict[str, Any]:
        """Return the raw settings given for plugin ``name``."""
        return self.plugin_settings.get(name, {})

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **overrides)


_ENV_NAMES = {
    "data_dir": "YDT_DATA_DIR",
    "database_url": "DATABASE_URL",
    "secret_key": "YDT_SECRET_KEY",
    "timezone": "TIMEZONE",
    "language": "YDT_LANGUAGE",
    "disabled_plugins": "YDT_DISABLED_PLUGINS",
    "session_days": "YDT_SESSION_DAYS",
    "login_max_failures": "YDT_LOGIN_MAX_FAILURES",
    "login_window_seconds": "YDT_LOGIN_WINDOW_SECONDS",
    "cookie_secure": "YDT_COOKIE_SECURE",
    "jobs_backend": "YDT_JOBS_BACKEND",
    "redis_url": "REDIS_URL",
    "base_url": "YDT_BASE_URL",
    "max_upload_bytes": "YDT_MAX_UPLOAD_BYTES",
}


def _coerce(name: str, raw: Any) -> Any:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "Path":
        return Path(raw)
    if kind == "int":
        return int(raw)
    if kind == "bool":
        return raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes", "on")
    if kind.startswith("tuple"):
        if isinstance(raw, (list, tuple)):
            return tuple(raw)
        return tuple(part.strip() for part in str(raw).split(",") if part.strip())
    return raw


def load_settings(environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
    """Build settings from defaults, config file, environment and overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    plugin_settings: dict[str, dict[str, Any]] = {}

    config_path = env.get("YDT_CONFIG")
    if config_path:
        with open(config_path, "rb") as fh:
            config = tomllib.load(fh)
        for key, value in config.items():
            if key == "plugins":
                for plugin, table in value.items():
                    plugin_settings.setdefault(plugin, {}).update(table)
            elif key in _ENV_NAMES:
                values[key] = _coerce(key, value)
            else:
                raise ValueError(f"unknown setting {key!r} in {config_path}")

    for name, env_name in _ENV_NAMES.items():
        if env_name in env and env[env_name] != "":
            values[name] = _coerce(name, env[env_name])

    for env_name, raw in env.items():
        # YDT_PLUGIN__<plugin>__<key>=value  (double underscores keep names unambiguous)
        if env_name.startswith("YDT_PLUGIN__"):
            _, plugin, key = env_name.split("__", 2)
            plugin_settings.setdefault(plugin.lower(), {})[key.lower()] = raw

    for name, value in overrides.items():
        if name == "plugin_settings":
            for plugin, table in value.items():
                plugin_settings.setdefault(plugin, {}).update(table)
        else:
            values[name] = _coerce(name, value) if not isinstance(value, (Path, tuple)) else value

    settings = Settings(**values, plugin_settings=plugin_settings)
    if not settings.secret_key:
        settings = replace(settings, secret_key=_stored_secret(settings.data_dir))
    return settings


def _stored_secret(data_dir: Path) -> str:
    """Keep a generated secret in the data dir so sessions survive restarts."""
    path = Path(data_dir) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    path.write_text(secret)
    return secret
