"""The web app and HTTP API (`termshift serve`): FastAPI over the store."""
