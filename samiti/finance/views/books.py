"""Pages: books."""

urlpatterns: list = []
