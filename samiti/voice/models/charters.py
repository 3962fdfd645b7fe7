"""charters."""

__all__: list[str] = []
