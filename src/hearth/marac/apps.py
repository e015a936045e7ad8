from django.apps import AppConfig


class MaracConfig(AppConfig):
    name = "hearth.marac"
    label = "marac"

    def ready(self):
        from hearth.platform import periodic
        from hearth.risk import ports as risk_ports

        from . import for_risk, tasks

        risk_ports.marac_plug(for_risk)
        periodic.register("marac_repeats", tasks.marac_flag_repeats)
