from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "samiti.core"
    label = "core"
