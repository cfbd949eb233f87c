"""FastAPI routers: thin faces over the stages."""
