"""Staff sign-in's backend (``AUTHENTICATION_BACKENDS``): a username or email and an Argon2 password.
The sign-in and second-factor pages are ``hearth.staff``'s."""
