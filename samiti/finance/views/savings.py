"""Pages: savings."""

urlpatterns: list = []
