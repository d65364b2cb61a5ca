"""The painter's one error type: a stable snake_case ``code`` plus a human message.

No torch here: the API process imports this to validate uploads. The API maps codes to HTTP statuses and
translated texts in one place (the tasks domain's ``PHOTO_ERRORS``).
"""

from __future__ import annotations

from typing import Any


class PaintError(Exception):
    """A job or upload the painter refuses or could not finish; ``code`` is stable, ``message`` explains."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.params = params

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable across processes (arq) with its params
        return (_rebuild, (self.code, self.message, self.params))


def _rebuild(code: str, message: str, params: dict[str, Any]) -> PaintError:
    return PaintError(code, message, **params)
