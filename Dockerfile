# syntax=docker/dockerfile:1
#
# One image for all five services. The command picks the service:
#
#   docker run --env-file .env smartcity-selection                                   # intake (the default)
#   docker run --env-file .env -e HTTP_PORT=8003 smartcity-selection python -m services.scoring
#
# Each service listens on HTTP_PORT (set it together with the command; docker-compose.yml and
# deploy/k8s/ do). Configuration comes only from the environment at run time: the image holds no
# secrets and no .env file. See deploy/README.md.

# Pinned to a full version (and Debian release), like every image of docker-compose.yml.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

# ---- build: install the project and its runtime dependencies (no dev extras) into a venv ----------
FROM ${PYTHON_IMAGE} AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src

# Dependencies first, exactly as locked (versions and hashes: requirements.lock, regenerated as deploy/README.md
# says), so a source-only change reuses this layer and a tampered or changed package fails the build.
COPY requirements.lock ./
RUN pip install --require-hashes --no-deps -r requirements.lock

# Then the project itself, without the dev extras (no SecantusDB, no test tools); its build backend
# (setuptools) is in the lock too, hence no build isolation.
COPY pyproject.toml ./
COPY shared ./shared
COPY services ./services
# The check imports every service from the installed package (-I: not from /src) to fail the build early.
RUN pip install --no-deps --no-build-isolation . \
    && python -I -c "import services.intake.service, services.validation.service, services.scoring.service, services.notification.service, services.reporting.service"

# ---- runtime ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime

LABEL org.opencontainers.image.title="smartcity-selection" \
      org.opencontainers.image.description="DLA Smart City selection: intake, validation, scoring, notification and reporting services" \
      org.opencontainers.image.licenses="MIT"

# Pango and a Thai font (TH Sarabun-compatible Laksaman) for reporting's PDF document packages.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-thai-tlwg \
    && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid/gid, so Kubernetes' runAsNonRoot can verify it without a passwd lookup.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /nonexistent --no-create-home \
               --shell /usr/sbin/nologin app

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    ENVIRONMENT=production \
    HTTP_HOST=0.0.0.0 \
    HTTP_PORT=8001

# The application writes nothing to disk: the root filesystem can be mounted read-only.
WORKDIR /app
USER 10001:10001

EXPOSE 8001 8002 8003 8004 8005

# Liveness of whichever service runs: the port comes from the same HTTP_PORT the service listens on.
# (docker-compose.yml and Kubernetes check /health/ready on top of this.)
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('HTTP_PORT', '8001'), timeout=4)"]

# uvicorn turns SIGTERM into: stop accepting, finish requests, stop consuming, finish in-flight
# messages, flush the outbox, close connections (shared/runtime.py).
STOPSIGNAL SIGTERM

CMD ["python", "-m", "services.intake"]
