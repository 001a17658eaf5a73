# The warta image for Prefect Docker/Kubernetes work pools (docs/scheduling.md).
# Built from the lock file, so a container runs exactly the versions `make test` ran.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 WARTA_DATA_DIR=/data
WORKDIR /opt/warta
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir uv==0.13.9 \
 && uv pip install --system --no-cache -r requirements.lock
COPY crawler crawler
COPY flows flows
COPY replica replica
COPY config config
COPY scrapy.cfg README.md ./
RUN uv pip install --system --no-cache --no-deps -e . && useradd -m warta && mkdir /data \
 && chown warta /data
USER warta
VOLUME /data
# A worker container runs flows; the flow itself is loaded by module path.
CMD ["prefect", "worker", "start", "--pool", "warta-docker"]
