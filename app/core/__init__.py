"""Shared kernel: settings, errors, i18n and the small interfaces the domains meet through.

Nothing in ``app.core`` imports from the rest of ``app``.
"""
