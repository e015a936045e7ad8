from django.urls import path

from . import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("new/", views.person_create, name="person_create"),
    path("<int:person_id>/", views.person_detail, name="person_detail"),
    path("<int:person_id>/change/", views.person_edit, name="person_edit"),
    path("<int:person_id>/incidents/new/", views.incident_create, name="incident_create"),
    path("<int:person_id>/not-same-as/<int:other_id>/", views.person_not_same, name="person_not_same"),
    path("links/<int:merge_id>/undo/", views.merge_undo, name="merge_undo"),
    path("link-requests/", views.link_request_list, name="link_request_list"),
    path("link-requests/<int:link_request_id>/confirm/", views.link_request_confirm, name="link_request_confirm"),
    path("link-requests/<int:link_request_id>/decline/", views.link_request_decline, name="link_request_decline"),
    path("<int:person_id>/break-glass/", views.person_break_glass, name="person_break_glass"),
    path("<int:person_id>/restrict/", views.person_seal, name="person_seal"),
]
