"""The web shell: rendering helpers, home page, health checks, error mapping, language switch."""
