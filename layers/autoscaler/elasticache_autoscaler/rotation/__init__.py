"""Credential rotation: AUTH tokens (ROTATE, then SET) and RBAC user passwords (two, then one)."""
