from samiti.registry.views import account, duplicates, imports, members, organisations

app_name = "registry"
urlpatterns = [
    *members.urlpatterns,
    *organisations.urlpatterns,
    *duplicates.urlpatterns,
    *imports.urlpatterns,
    *account.urlpatterns,
]
