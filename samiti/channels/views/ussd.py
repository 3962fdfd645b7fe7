"""Pages and callbacks: ussd."""

urlpatterns: list = []
