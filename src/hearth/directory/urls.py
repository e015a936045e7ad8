"""Service directory pages: public search and service pages; the partnership admin's staff pages."""

from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/<int:directory_service_number>/", views.service_page, name="service"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/new/", views.manage_edit, name="manage_new"),
    path("manage/<int:directory_entry_number>/", views.manage_edit, name="manage_edit"),
]
