"""The painter's one error type: a stable snake_case ``code`` plus a human message.

No torch here: the API process imports this to validate uploads. Callers map codes to HTTP statuses and
translated texts once; ``STATUS`` is a hint for that mapping.
"""

from __future__ import annotations

from typing import Any

#: codes the painter raises, with the HTTP status they usually mean
STATUS: dict[str, int] = {
    "unsupported_image": 415,
    "image_too_large": 413,
    "too_many_pixels": 413,
    "image_too_small": 422,
    "invalid_region": 422,
    "invalid_mask": 422,
    "invalid_request": 422,
    "no_wall_found": 422,
    "fast_mode_unavailable": 422,
    "guide_unavailable": 422,
    "translation_failed": 502,
    "model_unavailable": 503,
    "canceled": 409,
    "painting_failed": 500,
}


class PaintError(Exception):
    """A job or upload the painter refuses or could not finish; ``code`` is stable, ``message`` explains."""

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.params = params

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable across processes (arq) with its params
        return (_rebuild, (self.code, self.message, self.params))


def _rebuild(code: str, message: str, params: dict[str, Any]) -> PaintError:
    return PaintError(code, message, **params)
