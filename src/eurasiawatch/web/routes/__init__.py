"""The desk's routers, one module per area; ``web.app.ROUTERS`` lists which are included."""
