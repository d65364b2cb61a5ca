"""The six built-in themes' default style, as plain data.

The themes table (owned by the themes domain) is seeded from ``THEMES``; the CLI paints with it directly.
``prompt_template`` holds the LoRA's trigger words and a ``{wish}`` placeholder for the user's (translated) wish.
"""

from __future__ import annotations

from typing import Any, Final

_NEGATIVE: Final = (
    "blurry, lowres, text, watermark, signature, logo, deformed, disfigured, ugly, photo frame, border, people, person"
)

THEMES: Final[tuple[dict[str, Any], ...]] = (
    {
        "slug": "nature",
        "name_ko": "자연",
        "name_en": "Nature",
        "description": "Forests, flowers and mountains in soft greens.",
        "prompt_template": "sdmural nature mural, {wish}, lush forest, flowers, mountains, soft green palette, "
        "hand painted wall art",
        "negative_prompt": _NEGATIVE,
        "default_steps": 25,
        "lora_weight": 0.8,
    },
    {
        "slug": "urban",
        "name_ko": "도시",
        "name_en": "Urban",
        "description": "Bold street-art city scenes and graffiti colours.",
        "prompt_template": "sdmural urban mural, {wish}, street art, graffiti style, city skyline, bold colors, "
        "spray paint wall art",
        "negative_prompt": _NEGATIVE,
        "default_steps": 25,
        "lora_weight": 0.8,
    },
    {
        "slug": "play",
        "name_ko": "놀이",
        "name_en": "Play",
        "description": "Cheerful, playful shapes for playgrounds and kids' rooms.",
        "prompt_template": "sdmural playful mural, {wish}, cheerful cartoon shapes, bright primary colors, "
        "children playground wall art",
        "negative_prompt": _NEGATIVE,
        "default_steps": 25,
        "lora_weight": 0.8,
    },
    {
        "slug": "ocean",
        "name_ko": "바다",
        "name_en": "Ocean",
        "description": "Waves, whales and coral reefs in deep blues.",
        "prompt_template": "sdmural ocean mural, {wish}, underwater scene, waves, coral reef, whales, deep blue "
        "palette, painted wall art",
        "negative_prompt": _NEGATIVE,
        "default_steps": 25,
        "lora_weight": 0.8,
    },
    {
        "slug": "animals",
        "name_ko": "동물",
        "name_en": "Animals",
        "description": "Friendly animals in a warm, storybook style.",
        "prompt_template": "sdmural animal mural, {wish}, friendly animals, storybook illustration, warm colors, "
        "painted wall art",
        "negative_prompt": _NEGATIVE,
        "default_steps": 25,
        "lora_weight": 0.8,
    },
    {
        "slug": "space",
        "name_ko": "우주",
        "name_en": "Space",
        "description": "Planets, stars and rockets across a night-sky wall.",
        "prompt_template": "sdmural space mural, {wish}, planets, stars, galaxy, rockets, night sky, vivid purple "
        "and blue, painted wall art",
        "negative_prompt": _NEGATIVE,
        "default_steps": 25,
        "lora_weight": 0.8,
    },
)

THEME_SLUGS: Final[tuple[str, ...]] = tuple(t["slug"] for t in THEMES)


def default_theme(slug: str) -> dict[str, Any]:
    """The built-in theme ``slug``; KeyError names the known slugs."""
    for theme in THEMES:
        if theme["slug"] == slug:
            return dict(theme)
    raise KeyError(f"unknown theme {slug!r}; known: {', '.join(THEME_SLUGS)}")
