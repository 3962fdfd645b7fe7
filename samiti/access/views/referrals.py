"""Pages: referrals (being built)."""

urlpatterns: list = []
