from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "hearth.risk"
    label = "risk"
