"""Prompt building: template filling, 77-token limit, translation and its messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.actors.painter import PaintError
from app.actors.painter.prompt import (
    NOT_TRANSLATED,
    ApiTranslator,
    MarianTranslator,
    build_prompt,
    english_wish,
    fill_template,
)
from tests.actors.painter.helpers import theme


@pytest.fixture(scope="module")
def tokenizer(tiny_dir: Path) -> Any:
    from transformers import CLIPTokenizer

    return CLIPTokenizer.from_pretrained(tiny_dir / "inpaint" / "tokenizer")


class Echo:
    def translate(self, text: str) -> str:
        return "translated"


def test_fill_template() -> None:
    assert fill_template("mural, {wish}, blue", "a whale") == "mural, a whale, blue"
    assert fill_template("mural, {wish}, blue", "") == "mural, blue"
    assert fill_template("mural", "fox") == "mural, fox"


def test_wish_translation_and_messages() -> None:
    assert english_wish("a whale", None) == ("a whale", [])
    assert english_wish("고래 한 마리", None) == ("고래 한 마리", [NOT_TRANSLATED])
    assert english_wish("고래", Echo()) == ("translated", [])


def test_long_prompt_is_cut_to_77_tokens_with_a_message(tokenizer: Any) -> None:
    prompt = build_prompt(theme(), "a whale " * 100, tokenizer, None)
    assert len(tokenizer(prompt.text).input_ids) <= 77
    assert prompt.text.startswith("sdmural ocean mural, a whale")
    assert any("shortened" in m for m in prompt.messages)
    short = build_prompt(theme(), "a whale", tokenizer, None)
    assert short.messages == [] and "a whale" in short.text and short.negative


def test_tiny_marian_translates_offline(tiny_dir: Path) -> None:
    text = MarianTranslator(str(tiny_dir / "translator")).translate("파란 고래")
    assert isinstance(text, str) and text  # random weights: only that it runs offline


def test_api_translator(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    seen: dict[str, Any] = {}

    def fake_post(url: str, json: Any, headers: Any, timeout: float) -> httpx.Response:
        seen.update(url=url, body=json, headers=headers)
        return httpx.Response(
            200, json={"choices": [{"message": {"content": " a blue whale "}}]}, request=httpx.Request("POST", url)
        )

    monkeypatch.setattr(httpx, "post", fake_post)
    api = ApiTranslator("http://llm.local/v1/", api_key="k", model="m")
    assert api.translate("파란 고래") == "a blue whale"
    assert seen["url"] == "http://llm.local/v1/chat/completions"
    assert seen["headers"] == {"Authorization": "Bearer k"} and seen["body"]["model"] == "m"

    def failing_post(url: str, **kw: Any) -> httpx.Response:
        raise httpx.ConnectError("down")

    monkeypatch.setattr(httpx, "post", failing_post)
    with pytest.raises(PaintError) as err:
        api.translate("고래")
    assert err.value.code == "translation_failed"
