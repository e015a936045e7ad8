"""The product's URLs plus ``/bench/baseline/``: a bare view doing one indexed read, served by
the same server so each page's throughput can be given as a share of it. Bench-only: never in
``hearth.urls``."""

from django.http import HttpResponse
from django.urls import path

from hearth.platform.models import Agency
from hearth.platform.policy import public
from hearth.urls import handler400, handler403, handler404, handler500  # noqa: F401
from hearth.urls import urlpatterns as product


@public
def baseline(request):
    # One read by primary key: the least a page can cost on this server and database.
    name = Agency.objects.filter(pk=1).values_list("name", flat=True).first()
    return HttpResponse(f"{len(name or '')}\n", content_type="text/plain")


urlpatterns = [path("bench/baseline/", baseline), *product]
