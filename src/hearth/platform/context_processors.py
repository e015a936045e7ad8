from django.conf import settings

from . import access


def hearth(request):
    user = getattr(request, "user", None)
    membership = access.acting(user)
    choices = 0
    if user is not None and user.is_authenticated:
        choices = user.memberships.active().count() if membership is not None else 0
    return {
        "acting": membership,
        "acting_choice_count": choices,
        "idle_timeout_seconds": settings.HEARTH_IDLE_TIMEOUT_MINUTES * 60,
        "idle_warning_seconds": settings.HEARTH_IDLE_WARNING_MINUTES * 60,
        "demo_mode": settings.DEMO_MODE,
    }
