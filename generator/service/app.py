"""Serve stage: an ASGI app that serves the built site.

The event API (/api/events), server search and the report join this app in later
stages; for now it serves the static site with safe defaults: no cookies, files only
from inside the site folder (Starlette's StaticFiles checks paths), a health check.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(site_dir: Path) -> Starlette:
    site = Path(site_dir).resolve()
    if not (site / "index.html").is_file():
        raise FileNotFoundError(f"no built site in {site}: run 'kb build' first")
    return Starlette(routes=[
        Route("/api/health", health),
        Mount("/", app=StaticFiles(directory=site, html=True), name="site"),
    ])


def serve(site_dir: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    app = create_app(site_dir)
    print(f"Serving {site_dir} at http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
