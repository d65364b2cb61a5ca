"""Example wishes per theme, in Korean and English: tappable phrases on the create page for people who do
not know what to write (issue 20). Themes an admin adds later get the general examples."""

from __future__ import annotations

# slug → ((Korean, English), ...); each is a complete wish that paints well with that theme
WISH_EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "nature": (
        ("봄꽃이 가득 핀 언덕과 나비", "a hill full of spring flowers and butterflies"),
        ("초록 숲속 오솔길과 사슴", "a path through a green forest with a deer"),
        ("해 질 녘 산과 호수", "mountains and a lake at sunset"),
    ),
    "urban": (
        ("알록달록한 그래피티 글자", "colourful graffiti letters"),
        ("밤에 불 켜진 골목 풍경", "a lit-up alley at night"),
        ("자전거 타는 사람들이 있는 거리", "a street with people riding bicycles"),
    ),
    "play": (
        ("무지개와 풍선을 든 아이들", "children with a rainbow and balloons"),
        ("하늘을 나는 종이비행기", "paper planes flying across the sky"),
        ("블록으로 쌓은 알록달록 성", "a colourful castle made of toy blocks"),
    ),
    "ocean": (
        ("고래가 헤엄치는 푸른 바다", "whales swimming in a blue sea"),
        ("산호초와 열대어", "a coral reef with tropical fish"),
        ("파도 위 작은 돛단배", "a small sailboat on the waves"),
    ),
    "animals": (
        ("나무 아래 낮잠 자는 고양이", "a cat napping under a tree"),
        ("숲속 동물 친구들의 소풍", "forest animals having a picnic"),
        ("꽃밭에서 노는 강아지", "a puppy playing in a flower field"),
    ),
    "space": (
        ("별이 가득한 밤하늘과 로켓", "a rocket in a sky full of stars"),
        ("고리가 있는 행성과 달", "a ringed planet and the moon"),
        ("우주를 떠다니는 우주비행사", "an astronaut floating in space"),
    ),
}
GENERAL: tuple[tuple[str, str], ...] = (
    ("밝고 따뜻한 색의 꽃과 나무", "flowers and trees in bright, warm colours"),
    ("동네 사람들이 웃는 모습", "neighbours smiling together"),
)


def wish_examples(slug: str, lang: str) -> list[str]:
    """The example wishes for ``slug`` in ``lang`` (English for "en", else Korean)."""
    pairs = WISH_EXAMPLES.get(slug, GENERAL)
    return [en if lang == "en" else ko for ko, en in pairs]
