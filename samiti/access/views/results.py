"""Pages: results (being built)."""

urlpatterns: list = []
