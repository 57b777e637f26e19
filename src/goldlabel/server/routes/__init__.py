"""The API's routers (thin: they parse, call a service, shape the answer)."""
