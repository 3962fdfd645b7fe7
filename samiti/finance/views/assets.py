"""Pages: assets."""

urlpatterns: list = []
