"""``eurasiawatch serve``: run the desk's web app (``web.create_app``) under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from . import app
from .common import console, runtime


@app.command("serve")
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)] = 8000,
    proxy_headers: Annotated[
        bool,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Trust X-Forwarded-Proto/For from a reverse proxy on this machine (https cookies).",
        ),
    ] = True,
) -> None:
    """Serve the archive, the subscribe pages and the desk over HTTP (put TLS in front)."""
    import uvicorn

    from ..web.app import create_app

    rt = runtime(ctx)
    settings = rt.settings
    web_app = create_app(settings, clock=rt.clock())
    db = web_app.state.db
    db.ensure_current()
    console.print(f"Serving {settings.render_newsletter} on http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(
        web_app,
        host=host,
        port=port,
        proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1",
        log_level=settings.log_level.lower(),
        server_header=False,
    )
