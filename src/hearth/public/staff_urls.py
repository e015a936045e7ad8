"""Staff pages for the public help site: a partnership admin edits help text, reviews held referrals."""

from django.urls import path

from . import views_staff

app_name = "public_admin"

urlpatterns = [
    path("", views_staff.help_text_list, name="help_text_list"),
    path("edit/", views_staff.help_text_edit, name="help_text_edit"),
    path("held/", views_staff.held_list, name="held_list"),
    path("held/<int:held_referral_id>/", views_staff.held_decide, name="held_decide"),
]
