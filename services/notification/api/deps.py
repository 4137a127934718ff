"""What notification's setup hands its routes (`Parts`, the typed `Component.state`) and the route parameters
that reach them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.notification.handlers import Notifier
from services.notification.repository import Directory, NotificationLog, ProgressModel, ScheduleBook
from services.notification.schedule import Scheduler
from shared.runtime import parts_of
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


def _parts(request: Request) -> Parts:
    parts: Parts = parts_of(request)
    return parts


def _log(request: Request) -> NotificationLog:
    return _parts(request).log


def _directory(request: Request) -> Directory:
    return _parts(request).directory


def _progress(request: Request) -> ProgressModel:
    return _parts(request).progress


def _schedule(request: Request) -> ScheduleBook:
    return _parts(request).schedule


def _settings(request: Request) -> Settings:
    return _parts(request).settings


LogDep = Annotated[NotificationLog, Depends(_log)]
DirectoryDep = Annotated[Directory, Depends(_directory)]
ProgressDep = Annotated[ProgressModel, Depends(_progress)]
ScheduleDep = Annotated[ScheduleBook, Depends(_schedule)]
NotificationSettings = Annotated[Settings, Depends(_settings)]
