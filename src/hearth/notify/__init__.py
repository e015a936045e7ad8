"""Notifications: in-app notices to staff now; email and SMS through GOV.UK Notify later."""
