"""The API's pages: Swagger UI at /docs and ReDoc at /redoc, with every asset served by
the app itself (pinned in the fastapi-offline package), so they work on a network
without internet (``/`` leads to the console: api/console)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from api.security_headers import PAGE_POLICY

VENDOR = "/static/vendor"  # Swagger UI and ReDoc as fastapi-offline ships them
OWN = "/static"
OPENAPI = "/openapi.json"
HEAD = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
    "<meta name='viewport' content='width=device-width, initial-scale=1'>"
    f"<link rel='icon' href='{VENDOR}/favicon.png'>"
)
SWAGGER_UI = (
    f"{HEAD}<title>Tenantry API - Swagger UI</title>"
    f"<link rel='stylesheet' href='{VENDOR}/swagger-ui.css'></head>"
    f"<body><div id='swagger-ui' data-openapi-url='{OPENAPI}'></div>"
    f"<script src='{VENDOR}/swagger-ui-bundle.js'></script>"
    f"<script src='{OWN}/docs/swagger-init.js'></script></body></html>"
)
REDOC = (
    f"{HEAD}<title>Tenantry API - ReDoc</title></head>"
    f"<body><redoc spec-url='{OPENAPI}'></redoc>"
    f"<script src='{VENDOR}/redoc.standalone.js'></script></body></html>"
)

# ReDoc renders in a web worker made from a blob: URL.
REDOC_POLICY = f"{PAGE_POLICY}; worker-src 'self' blob:"


def install(app: FastAPI) -> None:
    vendor = Path(str(files("fastapi_offline") / "static"))
    own = Path(__file__).parent / "static"
    app.mount(VENDOR, StaticFiles(directory=vendor), name="vendor")
    app.mount(OWN, StaticFiles(directory=own), name="static")

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(SWAGGER_UI)

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        # ReDoc's sidebar shows Redocly's logo from their CDN, with no option to leave
        # it out: the page keeps images to its own origin, so nothing is fetched elsewhere.
        return HTMLResponse(REDOC, headers={"Content-Security-Policy": REDOC_POLICY})
