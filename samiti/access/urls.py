from samiti.access.views import (
    applications,
    catalogue,
    grievances,
    home,
    referrals,
    results,
    screening,
    worklist,
)

app_name = "access"
urlpatterns = [
    *home.urlpatterns,
    *catalogue.urlpatterns,
    *screening.urlpatterns,
    *worklist.urlpatterns,
    *applications.urlpatterns,
    *grievances.urlpatterns,
    *referrals.urlpatterns,
    *results.urlpatterns,
]
