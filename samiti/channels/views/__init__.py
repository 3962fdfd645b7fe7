"""The channels pages and gateway callbacks, one module per topic."""
