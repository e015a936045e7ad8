from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from hearth.platform import audit
from hearth.platform import permissions as platform_perms
from hearth.platform.models import AuditAction
from hearth.platform.policy import requires, signed_in

from .models import OutboundMessage
from .services import notices_for


@signed_in
def notice_list(request):
    notices = list(notices_for(request.user)[:100])
    # Shown is read: mark them after rendering the list as it was.
    unread = [n.pk for n in notices if n.read_at is None]
    response = render(request, "notify/notice_list.html", {"notices": notices})
    if unread:
        notices_for(request.user).filter(pk__in=unread).update(read_at=timezone.now())
    return response


@requires(platform_perms.MANAGE_PARTNERSHIP)
def outbox(request):
    """What Hearth would have sent, in development and the demo (no Notify key). Never in production."""
    if not settings.DEMO_MODE:
        raise Http404
    audit.record(AuditAction.LIST, object_type="notify.outboundmessage")
    return render(request, "notify/outbox.html", {"messages_sent": OutboundMessage.objects.all()[:200]})
