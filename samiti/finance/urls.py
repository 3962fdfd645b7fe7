from samiti.finance.views import assets, books, dues, home, savings, sustainability

app_name = "finance"
urlpatterns = [
    *home.urlpatterns,
    *savings.urlpatterns,
    *books.urlpatterns,
    *dues.urlpatterns,
    *assets.urlpatterns,
    *sustainability.urlpatterns,
]
