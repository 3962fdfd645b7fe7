"""Every write and business rule of the access app, one module per topic."""
