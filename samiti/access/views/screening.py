"""Pages: screening (being built)."""

urlpatterns: list = []
