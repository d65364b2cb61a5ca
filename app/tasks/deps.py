"""Dependency providers for the tasks domain."""

from __future__ import annotations

from litestar.datastructures import State

from app.tasks.service import TaskService


def provide_task_service(state: State) -> TaskService:
    return state.services.tasks
