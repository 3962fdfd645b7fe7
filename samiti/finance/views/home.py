"""Pages: home."""

urlpatterns: list = []
