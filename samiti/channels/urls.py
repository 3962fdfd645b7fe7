from samiti.channels.views import inbox, sms, ussd

app_name = "channels"
urlpatterns = [*sms.urlpatterns, *ussd.urlpatterns, *inbox.urlpatterns]
