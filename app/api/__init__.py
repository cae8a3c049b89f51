"""HTTP routes, one module a resource; app.api.routes gathers them."""
