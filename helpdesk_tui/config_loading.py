"""Reading the configuration: the TOML file plus `HELPDESK_*` environment overrides,
validated into `config.Settings`; a ConfigError names the first problem.

Through pydantic-settings, imported only here and only when a config is actually read
(it costs ~20 ms of every start otherwise).
"""

from pathlib import Path

from pydantic import ValidationError

from helpdesk_tui.config import Settings
from helpdesk_tui.domain.errors import ConfigError

#: Environment variables overriding settings: `HELPDESK_USER`, `HELPDESK_MAIL__POLL_SECONDS` …
ENV_PREFIX = "HELPDESK_"
ENV_NESTED_DELIMITER = "__"


def load_settings(path: Path | None) -> Settings:
    """Settings from `path` (if it exists) plus the environment; ConfigError if invalid.

    Always reads and validates everything (`helpdesk config check` relies on that).
    """
    if path is not None and path.expanduser().is_dir():
        # Not silently the defaults: a directory is a mistyped --config, and every
        # setting of the file meant would be ignored.
        raise ConfigError(f"config {path}: is a directory, not a TOML file")
    try:
        raw = config_bytes(path)
    except OSError as error:  # unreadable file
        raise ConfigError(f"config {path}: {error}") from None
    return validate_settings(path, raw)


def config_bytes(path: Path | None) -> bytes | None:
    """What `load_settings` reads of `path`: the file's bytes, None when there is none.

    Like pydantic-settings' file sources: `~` is expanded, and a path that is no file
    (a directory) is no config file.
    """
    if path is None or not path.exists():
        return None
    file = path.expanduser()
    return file.read_bytes() if file.is_file() else None


def validate_settings(path: Path | None, raw: bytes | None) -> Settings:
    """Settings from a config file's bytes (`raw`; None = no file) plus the environment,
    through pydantic-settings; ConfigError if invalid. `path` only names the file in errors.
    """
    # Lazy imports: only needed to read the sources, not for cached settings.
    import tomllib

    from pydantic_settings import (
        BaseSettings,
        InitSettingsSource,
        PydanticBaseSettingsSource,
        SettingsConfigDict,
    )

    file = path if path is not None and path.exists() else None

    class _FromSources(BaseSettings, Settings):
        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_NESTED_DELIMITER, extra="forbid"
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            # The file comes last, so the environment wins over it. Parsed here, where
            # TomlConfigSettingsSource would read it: its errors come first, as they did.
            toml = tomllib.loads(raw.decode()) if raw is not None else {}
            return (init_settings, env_settings, InitSettingsSource(settings_cls, toml))

    try:
        loaded = _FromSources()
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(f"config {file or '(defaults)'}: {where}: {first['msg']}") from None
    except ValueError as error:  # TOML syntax, or not UTF-8
        raise ConfigError(f"config {file}: {error}") from None
    # A plain Settings holding the validated values, like the ones the config cache restores
    # (not `dict(loaded)`: the `keys` field would pass for a mapping's keys()).
    values = {name: getattr(loaded, name) for name in Settings.model_fields}
    return Settings.model_construct(loaded.model_fields_set, **values)
