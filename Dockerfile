# Parla on Ray Serve. The image installs exactly the pinned runtime lock, from wheels only: no
# compiler. libgomp1 is the OpenMP runtime that llama.cpp's wheel (xllamacpp) links against;
# wget is what KubeRay's probes run in a Ray worker pod (deploy/kubernetes).
FROM python:3.11-slim
WORKDIR /app
RUN pip install --no-cache-dir uv==0.9.30
COPY requirements.lock ./
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 wget \
    && rm -rf /var/lib/apt/lists/* \
    && uv pip install --system --no-cache --no-build -r requirements.lock
COPY . .
RUN uv pip install --system --no-cache --no-deps -e .
# Runs as an unprivileged user (uid 1000: Kubernetes' runAsNonRoot checks a numeric user);
# the code stays root's, read-only to it; its data lives in VAR_DIR.
RUN useradd --uid 1000 --create-home parla \
    && mkdir -p /var/lib/parla && chown parla:parla /var/lib/parla
USER 1000
ENV HOST=0.0.0.0 PORT=8000 VAR_DIR=/var/lib/parla
EXPOSE 8000
# The first start synthesizes the demo catalogue and loads every model: minutes, not seconds.
HEALTHCHECK --interval=30s --timeout=5s --start-period=300s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['PORT']}/api/v1/health\", timeout=4)"]
CMD ["python", "-m", "deployments.launch"]
