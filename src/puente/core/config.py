"""Settings: the only place that reads the environment.

Every field is listed in `.env.example`; `tests/test_docs.py` fails when one is not.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from puente.core.forwarded import Network, parse_networks

PROJECT_ROOT = Path(__file__).resolve().parents[3]


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Settings(BaseSettings):
    """Runtime configuration, read from `PUENTE_*` variables and `.env`."""

    model_config = SettingsConfigDict(
        env_prefix="PUENTE_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="ignore",
    )

    env: str = Field(default="dev", description="dev, test or prod")
    database_url: str = Field(
        default="sqlite:///var/puente.db",
        description="SQLAlchemy URL; sqlite:///… or postgresql+psycopg://…",
    )
    var_dir: Path = Field(default=Path("var"), description="Runtime files")
    key_dir: Path = Field(
        default=Path("var/keys"), description="Tenant key files (never in the DB)"
    )
    audit_checkpoint_every: int = Field(
        default=1000, ge=1, description="Sign an audit checkpoint every N events"
    )
    enforcement_db_role: str = Field(
        default="puente_enforcement",
        pattern=r"^[a-z_][a-z0-9_]{0,62}$",
        description="PostgreSQL: the role enforcement requests run as (the wall)",
    )
    sqlite_write_wait_seconds: float = Field(
        default=20.0, gt=0, description="Embedded node: longest wait for the write turn"
    )
    sqlite_max_waiting_writers: int = Field(
        default=256, ge=1, description="Embedded node: writers queued before 503"
    )
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=12, ge=1)
    lockout_threshold: int = Field(
        default=5, ge=1, description="Wrong passwords for one name from one source"
    )
    account_lockout_threshold: int = Field(
        default=50, ge=1, description="Wrong passwords for one name from any source"
    )
    source_lockout_threshold: int = Field(
        default=30, ge=1, description="Wrong passwords from one source, any name"
    )
    lockout_minutes: int = Field(default=15, ge=1)
    mfa_lockout_threshold: int = Field(
        default=10,
        ge=1,
        description="Wrong TOTP codes (across logins) before MFA locks until reset",
    )
    default_locale: str = Field(default="en")
    secure_cookies: bool | Literal["auto"] = Field(
        default="auto",
        description=(
            "Cookies only over HTTPS; auto: on unless serving on loopback "
            "(`cookies_secure`)"
        ),
    )
    demo_password: SecretStr = Field(
        default=SecretStr("puente-demo-2026"), description="Password of demo users"
    )
    host: str = Field(default="127.0.0.1")
    trusted_proxies: str = Field(
        default="",
        description=(
            "Reverse proxies (addresses or networks, comma-separated) whose "
            "forwarded header names the client; empty: the TCP peer is the client"
        ),
    )
    proxy_header: Literal["x-forwarded-for", "forwarded"] = Field(
        default="x-forwarded-for",
        description="The header the trusted proxies append the client to",
    )
    port: int = Field(default=8000)
    log_json: bool = Field(default=False, description="JSON logs (production)")
    warm_routes: bool = Field(
        default=True,
        description="Prepare every route when the app is built, so no person's "
        "first visit to a page pays for it (the tests turn it off)",
    )
    node_state: str = Field(
        default="HUB",
        description="Federation: the state (or HUB) this node speaks for",
    )
    exchange_send_interval_seconds: float = Field(
        default=0.0,
        ge=0,
        description="Federation: seconds between outbound queue runs (0: off)",
    )
    app_filter_enabled: bool = Field(
        default=True,
        description="Application tenant filter; only tests turn it off to prove RLS",
    )

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        if value not in ("en", "es", "pt", "fr", "ht"):
            raise ValueError(f"unsupported locale {value!r}")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_networks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @property
    def trusted_proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @property
    def cookies_secure(self) -> bool:
        """`Secure` cookies: as configured, else on whenever the server listens
        beyond the loopback (there it is reached over HTTPS)."""
        if isinstance(self.secure_cookies, bool):
            return self.secure_cookies
        return self.host not in LOOPBACK_HOSTS

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache)."""
    return Settings()


def child_environment(overrides: dict[str, str]) -> dict[str, str]:
    """The environment for a child process Puente starts (a federation node): the
    parent's, passed on unread, with `overrides` on top."""
    return dict(os.environ) | overrides  # noqa: TID251 - passed on, not read
