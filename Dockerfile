# followup: a slim image that runs as a non-root user with its data on a volume.
# Run with a read-only root file system:
#   docker run --read-only --tmpfs /tmp -e DISCORD_TOKEN -v followup-data:/app/data followup
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib

WORKDIR /app
RUN useradd --create-home --uid 10001 followup

# Dependencies first, in their own layer: a code change does not reinstall them. Exactly the
# versions in requirements.lock, each file checked against its hash (make lock refreshes it).
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY pyproject.toml README.md ./
COPY bot ./bot
COPY content ./content
RUN pip install --no-deps --editable . \
    && mkdir -p /app/data \
    && chown followup:followup /app/data

USER 10001
VOLUME ["/app/data"]
# Healthy while the bot's heartbeat (written every minute once it is connected) is fresh.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-m", "bot", "health"]
ENTRYPOINT ["python", "-m", "bot"]
