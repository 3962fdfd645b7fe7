"""demands."""

__all__: list[str] = []
