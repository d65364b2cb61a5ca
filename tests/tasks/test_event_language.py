"""Task events on the bus are language-neutral; each client's stream gets the error text in its language
(a Korean text on the bus used to reach English clients too)."""

from __future__ import annotations

from app.core.events import Event
from app.core.i18n import translate
from app.tasks.service import error_detail, localize_event


def _failed(detail: str) -> Event:
    data = {"id": "t1", "status": "failed", "error": {"code": "no_wall_found", "detail": detail}}
    return Event(channel="task:t1", id=7, event="status", data=data)


def test_the_bus_carries_codes_and_the_painter_detail_only() -> None:
    assert error_detail("no_wall_found", "no wall pixels", None) == "no wall pixels"
    assert error_detail("no_wall_found", None, None) == "no_wall_found"
    assert error_detail("no_wall_found", "no wall pixels", "en") == translate("en", "no_wall_found")
    assert error_detail("some_new_code", "what happened", "ko") == "what happened"  # no message: the detail


def test_each_stream_translates_for_its_client_without_touching_the_shared_event() -> None:
    event = _failed("no_wall_found")
    english, korean = localize_event(event, "en"), localize_event(event, "ko")
    assert english.data["error"]["detail"] == translate("en", "no_wall_found")
    assert korean.data["error"]["detail"] == translate("ko", "no_wall_found")
    assert english.data["error"]["detail"] != korean.data["error"]["detail"]
    assert event.data["error"]["detail"] == "no_wall_found"  # every other subscriber still sees the original
    assert (english.id, english.event, english.data["status"]) == (7, "status", "failed")


def test_other_events_pass_through_unchanged() -> None:
    progress = Event(channel="task:t1", id=8, event="progress", data={"step": 3, "total": 25})
    assert localize_event(progress, "en") is progress
    unknown = _failed("x")
    unknown.data["error"]["code"] = "some_new_code"
    assert localize_event(unknown, "en") is unknown
