from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "hearth.risk"
    label = "risk"

    def ready(self):
        from hearth.platform import periodic

        from . import tasks

        periodic.register("school_notifications", tasks.risk_notify_schools)
