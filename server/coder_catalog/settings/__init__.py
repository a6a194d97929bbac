"""Settings of coder-catalog: the Backstage Coder plugin's app config plus this project's own.

Pure analysis core: no pygls, httpx or aiohttp here.
"""

from __future__ import annotations

from ._validate import project_keys
from .coder_cli import coder_cli_config_dir, coder_cli_url_file, read_coder_cli_file, read_coder_cli_url
from .errors import SettingsError
from .git_repository import ingestion_location
from .model import (
    MODES,
    SEVERITIES,
    AccessURLError,
    FrozenMap,
    Mode,
    OAuthClient,
    SettingOrigin,
    Settings,
    Severity,
    WorkspaceDefaults,
    normalize_access_url,
    origin_of,
)
from .resolve import (
    APP_CONFIG_NAMES,
    CA_BUNDLE_ENV,
    CODER_URL_ENV,
    OVERRIDES_PATH,
    PROJECT_FILE_NAMES,
    ProjectFile,
    check_project_text,
    find_project_file,
    find_repository_root,
    load_project_file,
    resolve_settings,
)

__all__ = [
    "APP_CONFIG_NAMES",
    "CA_BUNDLE_ENV",
    "CODER_URL_ENV",
    "MODES",
    "OVERRIDES_PATH",
    "PROJECT_FILE_NAMES",
    "SEVERITIES",
    "AccessURLError",
    "FrozenMap",
    "Mode",
    "OAuthClient",
    "ProjectFile",
    "SettingOrigin",
    "Settings",
    "SettingsError",
    "Severity",
    "WorkspaceDefaults",
    "check_project_text",
    "coder_cli_config_dir",
    "coder_cli_url_file",
    "find_project_file",
    "find_repository_root",
    "ingestion_location",
    "load_project_file",
    "normalize_access_url",
    "origin_of",
    "project_keys",
    "read_coder_cli_file",
    "read_coder_cli_url",
    "resolve_settings",
]
