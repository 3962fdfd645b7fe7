"""Pages and callbacks: inbox."""

urlpatterns: list = []
