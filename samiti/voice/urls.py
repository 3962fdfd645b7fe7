from samiti.voice.views import charters, demands, elections, meetings, polls, scorecards

app_name = "voice"
urlpatterns = [
    *demands.urlpatterns,
    *polls.urlpatterns,
    *elections.urlpatterns,
    *meetings.urlpatterns,
    *charters.urlpatterns,
    *scorecards.urlpatterns,
]
