"""From a theme and a user's wish (often Korean) to an English prompt that fits CLIP's 77 tokens.

Translators share one tiny interface, ``translate(text) -> str``: a local MarianMT model or any
OpenAI-compatible chat endpoint. With none configured the wish goes through as is, with a visible message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from .errors import PaintError
from .schemas import ThemeStyle

MAX_WISH_CHARS: Final = 1000
_HANGUL: Final = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_SYSTEM_PROMPT: Final = (
    "Translate the user's Korean text into short, natural English for an image-generation prompt. "
    "Reply with the English translation only."
)

NOT_TRANSLATED: Final = "The wish is in Korean but no translator is configured, so it was used untranslated."
TRUNCATED: Final = "The prompt was longer than the text encoder's {limit} tokens and was shortened."


class Translator(Protocol):
    def translate(self, text: str) -> str: ...


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


class MarianTranslator:
    """A local MarianMT model (``Helsinki-NLP/opus-mt-ko-en`` or a folder), loaded on first use."""

    def __init__(self, model: str, device: str = "cpu") -> None:
        self.model_id = model
        self.device = device
        self._model: Any = None
        self._tokenizer: Any = None

    def load(self) -> None:
        from transformers import MarianMTModel, MarianTokenizer

        self._tokenizer = MarianTokenizer.from_pretrained(self.model_id)
        self._model = MarianMTModel.from_pretrained(self.model_id).to(self.device).eval()

    def translate(self, text: str) -> str:
        import torch

        if self._model is None:
            self.load()
        try:
            batch = self._tokenizer([text], return_tensors="pt", truncation=True).to(self.device)
            limit = min(128, int(self._model.config.max_position_embeddings) - 1)
            with torch.inference_mode():
                out = self._model.generate(**batch, max_new_tokens=limit, max_length=None)
            return str(self._tokenizer.batch_decode(out, skip_special_tokens=True)[0]).strip()
        except Exception as exc:
            raise PaintError("translation_failed", f"the translator model failed: {exc}") from exc


class ApiTranslator:
    """Any OpenAI-compatible chat endpoint: ``url`` is its base (…/v1) or the full …/chat/completions."""

    def __init__(self, url: str, api_key: str = "", model: str = "gpt-4o-mini", timeout_s: float = 20.0) -> None:
        url = url.rstrip("/")
        self.url = url if url.endswith("/chat/completions") else url + "/chat/completions"
        self.api_key = api_key
        self.model = model
        self.timeout_s = timeout_s

    def translate(self, text: str) -> str:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": _SYSTEM_PROMPT}, {"role": "user", "content": text}],
        }
        try:
            response = httpx.post(self.url, json=body, headers=headers, timeout=self.timeout_s)
            response.raise_for_status()
            return str(response.json()["choices"][0]["message"]["content"]).strip()
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            raise PaintError("translation_failed", f"the translation service failed: {exc}") from exc


@dataclass(slots=True)
class Prompt:
    text: str
    negative: str
    wish_en: str
    messages: list[str] = field(default_factory=list)


def english_wish(wish: str, translator: Translator | None) -> tuple[str, list[str]]:
    """The wish in English (translated when it has Hangul) and any message for the user."""
    wish = " ".join(wish.split())[:MAX_WISH_CHARS]
    if not has_hangul(wish):
        return wish, []
    if translator is None:
        return wish, [NOT_TRANSLATED]
    return translator.translate(wish), []


def fill_template(template: str, wish: str) -> str:
    """Put the wish into the theme's template (``{wish}``; appended when missing) and tidy the commas."""
    if "{wish}" not in template:
        template = template.rstrip(", ") + ", {wish}"
    text = template.replace("{wish}", wish.strip())
    text = re.sub(r"\s*,(\s*,)+", ",", text)
    return re.sub(r"\s+", " ", text).strip(" ,")


def count_tokens(tokenizer: Any, text: str) -> int:
    return len(tokenizer(text, truncation=False).input_ids)


def fit_prompt(template: str, wish: str, tokenizer: Any) -> tuple[str, bool]:
    """The filled template cut to the tokenizer's limit, dropping words from the end of the wish first."""
    limit = int(getattr(tokenizer, "model_max_length", 77) or 77)
    text = fill_template(template, wish)
    if count_tokens(tokenizer, text) <= limit:
        return text, False
    words = wish.split()
    lo, hi = 0, len(words)  # binary search the longest wish prefix that fits
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count_tokens(tokenizer, fill_template(template, " ".join(words[:mid]))) <= limit:
            lo = mid
        else:
            hi = mid - 1
    text = fill_template(template, " ".join(words[:lo]))
    if count_tokens(tokenizer, text) > limit:  # the template alone is too long: cut tokens
        ids = tokenizer(text, truncation=True, max_length=limit, add_special_tokens=False).input_ids[: limit - 2]
        text = tokenizer.decode(ids, skip_special_tokens=True).strip()
    return text, True


def build_prompt(theme: ThemeStyle, wish: str, tokenizer: Any, translator: Translator | None) -> Prompt:
    """Theme template + (translated) wish + negative prompt, each within the text encoder's limit."""
    wish_en, messages = english_wish(wish, translator)
    text, cut = fit_prompt(theme.prompt_template, wish_en, tokenizer)
    negative, neg_cut = fit_prompt(theme.negative_prompt, "", tokenizer) if theme.negative_prompt else ("", False)
    if cut or neg_cut:
        messages.append(TRUNCATED.format(limit=int(getattr(tokenizer, "model_max_length", 77) or 77)))
    return Prompt(text, negative, wish_en, messages)
