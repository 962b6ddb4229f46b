"""The schema library of the running Home Assistant.

Home Assistant 2026 validates with probatio, an API-compatible successor of
voluptuous; 2025.x uses voluptuous. Schemas here are written once for both.
"""

try:
    import probatio as vol  # type: ignore[import-not-found, unused-ignore]
except ImportError:  # Home Assistant 2025.x
    import voluptuous as vol  # type: ignore[no-redef, unused-ignore]

__all__ = ["vol"]
