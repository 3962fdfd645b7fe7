"""Pages: grievances (being built)."""

urlpatterns: list = []
