from django.urls import path

from .views import health

app_name = "platform"

# The kernel's own pages. The staff pages (hearth.staff.urls) share this namespace: hearth/urls.py
# mounts both lists together.
urlpatterns = [
    path("health/", health.health, name="health"),
]
