# syntax=docker/dockerfile:1
# One image for every Samskab service; the command picks the service:
#   docker run samskab python -m samskab.run proposals
# (gateway, proposals, matching, meetings, notifications).  Configuration is
# environment variables only (shared/samskab/config.py); migrations run at
# start-up unless MIGRATE_ON_START=0.

# The base is pinned to an exact Python release; `make image` passes the same value
# (PYTHON_IMAGE in the Makefile), so a new base is a reviewed one-line change.
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/samskab
# Dependencies first, in their own layer: they change less often than the code.
COPY pyproject.toml ./
COPY shared/samskab/__init__.py shared/samskab/__init__.py
RUN /opt/samskab/bin/pip install --no-compile . \
 && /opt/samskab/bin/pip uninstall --yes samskab
COPY shared/ shared/
COPY services/ services/
RUN /opt/samskab/bin/pip install --no-compile --no-deps .

FROM ${PYTHON_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.version="${VERSION}"
LABEL org.opencontainers.image.title="samskab" \
      org.opencontainers.image.description="Samskab co-creation platform services (one image, a command per service)" \
      org.opencontainers.image.licenses="EUPL-1.2"
ENV PATH=/opt/samskab/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 samskab \
 && useradd --system --uid 10001 --gid samskab --home-dir /nonexistent --shell /usr/sbin/nologin samskab
COPY --from=build /opt/samskab /opt/samskab
COPY deploy/docker/healthcheck.py /usr/local/lib/samskab/healthcheck.py
USER 10001:10001
WORKDIR /tmp
EXPOSE 8000 9101 9102 9103 9104
# The probe finds the service from PID 1's command line and asks its port.
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "/usr/local/lib/samskab/healthcheck.py"]
STOPSIGNAL SIGTERM
CMD ["python", "-m", "samskab.run", "gateway"]
