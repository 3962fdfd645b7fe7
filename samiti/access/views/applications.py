"""Pages: applications (being built)."""

urlpatterns: list = []
