from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "hearth.public"
    label = "public"
