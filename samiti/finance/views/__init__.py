"""The finance pages, one module per topic."""
