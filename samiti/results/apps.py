from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "samiti.results"
    label = "results"
