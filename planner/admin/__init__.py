"""User management for admins: invite accounts, change roles, disable, reset passwords."""
