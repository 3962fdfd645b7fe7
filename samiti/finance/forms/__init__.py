"""The finance forms, one module per topic."""
