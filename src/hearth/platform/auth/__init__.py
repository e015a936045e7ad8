"""Staff sign-in: password (Argon2), TOTP second factor, lockout, idle timeout."""
