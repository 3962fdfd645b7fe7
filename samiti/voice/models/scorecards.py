"""scorecards."""

__all__: list[str] = []
