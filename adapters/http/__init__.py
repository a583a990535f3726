"""The driving adapter: FastAPI routers, schemas, error mapping and auth dependencies."""
