from samiti.voice.views import charters, demands, elections, home, meetings, polls, scorecards

app_name = "voice"
urlpatterns = [
    *home.urlpatterns,
    *demands.urlpatterns,
    *polls.urlpatterns,
    *elections.urlpatterns,
    *meetings.urlpatterns,
    *charters.urlpatterns,
    *scorecards.urlpatterns,
]
