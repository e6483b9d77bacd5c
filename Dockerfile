# smmkpi: the dashboard in a container (see docs/hosting.md).
#   docker build -t smmkpi .
#   docker run -p 8501:8501 -e SMMKPI_DATABASE_URL=postgresql://... \
#     -v "$PWD/.streamlit/secrets.toml:/app/.streamlit/secrets.toml:ro" smmkpi
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Chromium renders the digests' chart images (Plotly's kaleido, locally); DejaVu is the
# PDF's font (without them digests still go out, with tables only / a plainer font).
RUN apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# Dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

RUN useradd --create-home --uid 10001 smmkpi
COPY --chown=smmkpi:smmkpi . .
USER smmkpi

EXPOSE 8501
# Liveness: the server answers. (/healthz also checks the database: use it for a load
# balancer's readiness check.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]
# serve.py is app.py plus migrations at start and the /healthz readiness route.
CMD ["streamlit", "run", "serve.py", "--server.address", "0.0.0.0", "--server.port", "8501"]
