"""Referrals between agencies: consent and lawful basis, lifecycle, inboxes, timeliness."""
