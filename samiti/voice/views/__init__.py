"""Web pages of the voice app, one module per topic."""
