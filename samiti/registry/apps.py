from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "samiti.registry"
    label = "registry"
