"""Pages: sustainability."""

urlpatterns: list = []
