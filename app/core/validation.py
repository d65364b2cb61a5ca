"""Decode a JSON object into a msgspec Struct and report EVERY invalid field at once.

msgspec stops at the first error; clients need the whole list (api.md: a 400 lists every invalid field).
Constraints stay on the Struct (``Annotated[str, Meta(...)]``) so the OpenAPI schema documents them.
"""

from __future__ import annotations

import typing
from typing import Any, TypeVar

import msgspec

from app.core.errors import FieldError, InvalidInput
from app.core.i18n import translate

S = TypeVar("S", bound=msgspec.Struct)


def _meta_of(annotation: Any) -> msgspec.Meta | None:
    if typing.get_origin(annotation) is typing.Annotated:
        for extra in typing.get_args(annotation)[1:]:
            if isinstance(extra, msgspec.Meta):
                return extra
    for arg in typing.get_args(annotation):  # Optional[Annotated[...]]
        meta = _meta_of(arg)
        if meta is not None:
            return meta
    return None


def field_message(lang: str, annotation: Any, value: Any) -> str:
    """A human message for a value that failed ``annotation``, built from its Meta constraints."""
    meta = _meta_of(annotation)
    if meta is not None and meta.extra and "message" in meta.extra:
        return translate(lang, meta.extra["message"])
    if meta is not None:
        lo, hi = meta.min_length, meta.max_length
        if lo is not None and hi is not None and isinstance(value, str):
            return translate(lang, "field_length", min=lo, max=hi)
        if lo is not None and isinstance(value, (str, list)):
            return translate(lang, "field_min_length", min=lo)
        if hi is not None and isinstance(value, (str, list)):
            return translate(lang, "field_max_length", max=hi)
        lo_n = meta.ge if meta.ge is not None else meta.gt
        hi_n = meta.le if meta.le is not None else meta.lt
        if (lo_n is not None or hi_n is not None) and isinstance(value, (int, float)) and not isinstance(value, bool):
            return translate(lang, "field_range", min=lo_n, max=hi_n)
    return translate(lang, "field_type")


def collect_errors(struct_type: type[msgspec.Struct], raw: Any, lang: str) -> list[FieldError]:
    """Every field of ``raw`` that does not fit ``struct_type``, each with a message in ``lang``."""
    if not isinstance(raw, dict):
        return [FieldError(field="body", message=translate(lang, "invalid_json"))]
    hints = typing.get_type_hints(struct_type, include_extras=True)
    info = msgspec.inspect.type_info(struct_type)
    errors: list[FieldError] = []
    for field in info.fields:  # type: ignore[attr-defined]  # msgspec types type_info() as Type; a Struct's is a StructType
        name = field.encode_name
        if name not in raw:
            if field.required:
                errors.append(FieldError(field=name, message=translate(lang, "field_required")))
            continue
        annotation = hints[field.name]
        try:
            msgspec.convert(raw[name], annotation, strict=True)
        except msgspec.ValidationError:
            errors.append(FieldError(field=name, message=field_message(lang, annotation, raw[name])))
    return errors


def decode(struct_type: type[S], body: bytes, lang: str) -> S:
    """Decode ``body`` as ``struct_type`` or raise InvalidInput listing every bad field."""
    try:
        raw = msgspec.json.decode(body) if body else None
    except msgspec.DecodeError:
        raise InvalidInput("invalid_json") from None
    errors = collect_errors(struct_type, raw, lang)
    if errors:
        raise InvalidInput(errors=errors)
    return msgspec.convert(raw, struct_type, strict=True)
