# One image for web, worker, sandbox and the one-shot setup (docker-compose.yml).
FROM python:3.11-slim-bookworm AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY package.json package-lock.json ./
COPY scripts/vendor_static.sh scripts/
COPY static/ static/
RUN bash scripts/vendor_static.sh && rm -rf node_modules
COPY . .
RUN STATIC_ROOT=/app/staticfiles CONSOLE_LOCAL_DIR=/tmp/build python manage.py collectstatic --noinput \
    && rm -rf /tmp/build
ENV STATIC_ROOT=/app/staticfiles
# /control: the sandbox writes its control secret there (a volume only it and setup mount).
RUN useradd --create-home console && mkdir -p /state /control && chown console /state /control
USER console
ENV CONSOLE_LOCAL_DIR=/state
EXPOSE 8000
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "console.asgi:application"]
