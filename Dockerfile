# Advisor in production: gunicorn behind your TLS proxy, PostgreSQL through DATABASE_URL.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    BIND=0.0.0.0:8000

WORKDIR /app
COPY pyproject.toml README.md ./
COPY advisor ./advisor
COPY decisions ./decisions
RUN pip install .
COPY . .

# collectstatic needs settings, not secrets: a throwaway key for the build step only.
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput --verbosity 0

RUN useradd --system --uid 10001 --home-dir /app advisor && chown -R advisor /app
USER advisor

EXPOSE 8000
# GET /healthz on the port BIND names, with the first ALLOWED_HOSTS entry as its Host.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "healthcheck.py"]

CMD ["gunicorn", "advisor.wsgi", "-c", "gunicorn.conf.py"]
