"""Pages and callbacks: sms."""

urlpatterns: list = []
