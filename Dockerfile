# Parla on Ray Serve. The image installs exactly the pinned runtime lock, from wheels only: no
# compiler. libgomp1 is the OpenMP runtime that llama.cpp's wheel (xllamacpp) links against.
FROM python:3.11-slim
WORKDIR /app
RUN pip install --no-cache-dir uv==0.9.30
COPY requirements.lock ./
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && uv pip install --system --no-cache --no-build -r requirements.lock
COPY . .
RUN uv pip install --system --no-cache --no-deps -e .
ENV HOST=0.0.0.0 PORT=8000 VAR_DIR=/var/lib/parla
EXPOSE 8000
CMD ["python", "-m", "deployments.launch"]
