"""Pages: dues."""

urlpatterns: list = []
