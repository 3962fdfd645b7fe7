"""Web pages of the access app, one module per topic."""
