from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("families/", views.case_list, name="case_list"),
    path("families/open/<int:support_referral_id>/", views.case_open, name="case_open"),
    path("families/<int:support_case_id>/", views.case_detail, name="case_detail"),
    path("families/<int:support_case_id>/household/", views.case_household, name="case_household"),
    path("families/<int:support_case_id>/needs/new/", views.need_add, name="need_add"),
    path("families/<int:support_case_id>/needs/suggested/", views.needs_add_suggested, name="needs_add_suggested"),
    path("families/<int:support_case_id>/deliveries/new/", views.delivery_new, name="delivery_new"),
    path("needs/<int:need_id>/allocate/", views.need_allocate, name="need_allocate"),
    path("allocations/<int:allocation_id>/release/", views.allocation_release, name="allocation_release"),
    path("deliveries/<int:delivery_id>/", views.delivery_detail, name="delivery_detail"),
    path("deliveries/<int:delivery_id>/note/", views.delivery_note, name="delivery_note"),
    path("deliveries/<int:delivery_id>/delivered/", views.delivery_confirm, name="delivery_confirm"),
    path("deliveries/<int:delivery_id>/cancel/", views.delivery_cancel, name="delivery_cancel"),
    path("van-sheet/", views.van_sheet, name="van_sheet"),
    path("stock/", views.stock, name="stock"),
    path("stock/movements/new/", views.stock_movement_new, name="stock_movement_new"),
    path("stock/items/new/", views.item_new, name="item_new"),
    path("stock/stores/new/", views.store_new, name="store_new"),
    path("stock/items/<int:item_type_id>/", views.item_ledger, name="item_ledger"),
    path("unmet-needs/", views.unmet, name="unmet"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/new/", views.appeal_new, name="appeal_new"),
    path("appeals/<int:appeal_id>/", views.appeal_detail, name="appeal_detail"),
    path("donations/new/", views.donation_new, name="donation_new"),
    path("donations/<int:donation_id>/", views.donation_detail, name="donation_detail"),
    path("donations/<int:donation_id>/thanked/", views.donation_thanked, name="donation_thanked"),
]
