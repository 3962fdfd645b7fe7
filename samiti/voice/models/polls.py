"""polls."""

__all__: list[str] = []
