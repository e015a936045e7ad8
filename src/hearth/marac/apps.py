from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "hearth.marac"
    label = "marac"
