"""Web forms of the access app, one module per topic."""
