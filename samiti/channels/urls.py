from samiti.channels.views import broadcasts, inbox, sms, ussd

app_name = "channels"
urlpatterns = [*sms.urlpatterns, *ussd.urlpatterns, *inbox.urlpatterns, *broadcasts.urlpatterns]
