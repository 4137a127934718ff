"""What notification's setup hands its routes (`Parts`, the typed `Component.state`) and the route parameters
that reach them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.notification.handlers import Notifier
from services.notification.repository import Directory, NotificationLog, ProgressModel, ScheduleBook
from services.notification.schedule import Scheduler
from shared.runtime import part
from shared.settings import Settings


@dataclass(frozen=True)
class Parts:
    log: NotificationLog
    notifier: Notifier
    directory: Directory
    progress: ProgressModel
    schedule: ScheduleBook
    scheduler: Scheduler
    settings: Settings


LogDep = Annotated[NotificationLog, Depends(part(Parts, lambda parts: parts.log))]
DirectoryDep = Annotated[Directory, Depends(part(Parts, lambda parts: parts.directory))]
ProgressDep = Annotated[ProgressModel, Depends(part(Parts, lambda parts: parts.progress))]
ScheduleDep = Annotated[ScheduleBook, Depends(part(Parts, lambda parts: parts.schedule))]
NotificationSettings = Annotated[Settings, Depends(part(Parts, lambda parts: parts.settings))]
