"""The Open Referral UK read API (GET only, public): /api/directory/..."""

from django.urls import path

from . import api_views

app_name = "directory_api"

urlpatterns = [
    path("", api_views.root, name="root"),
    path("services", api_views.services, name="services"),
    path("services/<str:directory_service_ref>", api_views.service, name="service"),
    path("taxonomies", api_views.taxonomies, name="taxonomies"),
    path("taxonomy_terms", api_views.taxonomy_terms, name="taxonomy_terms"),
    path("service_at_locations", api_views.service_at_locations, name="service_at_locations"),
]
