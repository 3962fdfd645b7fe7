"""Pages: home (being built)."""

urlpatterns: list = []
