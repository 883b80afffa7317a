# Production image: gunicorn serves the portal; the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext fonts-noto-cjk postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
COPY --from=assets /app/node_modules ./node_modules
RUN python manage.py compilemessages --ignore=node_modules -v0 \
    && DEBUG=false SECRET_KEY=build-only python manage.py collectstatic --noinput -v0
RUN useradd --system --home /app portal && mkdir -p /data/media /data/backups \
    && chown portal /data/media /data/backups
USER portal
EXPOSE 8000
# One log line per request comes from the portal (logger portal.request, with its request id),
# so gunicorn's own access log stays off.
CMD ["gunicorn", "innonet.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
