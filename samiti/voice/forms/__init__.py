"""Web forms of the voice app, one module per topic."""
