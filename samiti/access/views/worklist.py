"""Pages: worklist (being built)."""

urlpatterns: list = []
