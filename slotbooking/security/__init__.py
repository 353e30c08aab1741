"""Secrets, start-up checks and the proxies we trust: see docs/security.md."""
