from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.notice_list, name="notice_list"),
    path("outbox/", views.outbox, name="outbox"),
]
