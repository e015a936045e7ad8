"""Public help pages (no sign-in), mounted at the site root in every language (/ur/, /pl/, /pa/)."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.help_home, name="help"),
    path("what-is-abuse/", views.help_page, {"section": "what_is_abuse"}, name="what_is_abuse"),
    path("is-this-happening-to-me/", views.help_page, {"section": "happening_to_me"}, name="happening_to_me"),
    path("worried-about-someone/", views.help_page, {"section": "worried_about_someone"},
         name="worried_about_someone"),
    path("worried-about-your-behaviour/", views.help_page, {"section": "own_behaviour"}, name="own_behaviour"),
    path("exit-this-page/", views.exit_explained, name="exit_explained"),
    path("staying-safe-online/", views.safety, name="safety"),
    path("contact-form/", views.self_referral, name="self_referral"),
    path("contact-form/sent/", views.self_referral_sent, name="self_referral_sent"),
]
