"""Operations view for admins: the painting workers (Redis heartbeats, or the in-process painter in the
embedded default), the job queue's depth and the most recent failed tasks. Served at ``/ops``."""

from app.ops.pages import OpsPagesController
from app.ops.service import OpsService, OpsSnapshot, WorkerView

__all__ = ["OpsPagesController", "OpsService", "OpsSnapshot", "WorkerView"]
