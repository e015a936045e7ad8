from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "hearth.notify"
    label = "notify"
