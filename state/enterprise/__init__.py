"""Redis Enterprise: the state rendered as rladmin commands and REST requests, a state
imported from a cluster's REST JSON, and the REST export applied to a cluster.

`client` (the only module that imports httpx) is left out of this package's imports, so
the exports and the import start without it.
"""

from __future__ import annotations

from .importer import ImportResult, import_rest, import_to_new_state, read_json_file
from .rest import (
    RestExport,
    RestRequest,
    cluster_certificate_status,
    database_body,
    render_curl,
    render_json,
    rest_export,
    tls_mode,
)
from .rladmin import RladminExport, render_rladmin, rladmin_export, write_rladmin

__all__ = [
    "ImportResult",
    "RestExport",
    "RestRequest",
    "RladminExport",
    "cluster_certificate_status",
    "database_body",
    "import_rest",
    "import_to_new_state",
    "read_json_file",
    "render_curl",
    "render_json",
    "render_rladmin",
    "rest_export",
    "rladmin_export",
    "tls_mode",
    "write_rladmin",
]
