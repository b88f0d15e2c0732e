"""Sign-in, sign-out and who may see what."""
