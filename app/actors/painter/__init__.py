"""The painting engine: wall finding, prompt building and SD inpainting behind one actor.

Import from here; nothing at this level imports torch (models load on the painter's own thread), so the
API process can validate uploads with ``inspect_photo``/``check_region`` cheaply.
"""

from .actor import OnProgress, Painter, State
from .config import PainterConfig, painter_config_from_settings, tiny_config
from .errors import PaintError
from .image import check_region, inspect_photo, load_photo
from .schemas import PaintProgress, PaintRequest, PaintResult, PhotoInfo, Region, ThemeStyle
from .themes_default import THEME_SLUGS, THEMES

__all__ = [
    "THEMES",
    "THEME_SLUGS",
    "OnProgress",
    "PaintError",
    "PaintProgress",
    "PaintRequest",
    "PaintResult",
    "Painter",
    "PainterConfig",
    "PhotoInfo",
    "Region",
    "State",
    "ThemeStyle",
    "check_region",
    "inspect_photo",
    "load_photo",
    "painter_config_from_settings",
    "tiny_config",
]
