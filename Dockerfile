# Parla on Ray Serve. The image installs exactly the pinned runtime lock.
FROM python:3.11-slim
WORKDIR /app
RUN pip install --no-cache-dir uv==0.9.30
COPY requirements.lock ./
# llama-cpp-python compiles llama.cpp: a C/C++ toolchain for the install only (libgomp1, its
# OpenMP runtime, stays). GGML_NATIVE=OFF targets generic x86-64, not the build machine's CPU.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential libgomp1 \
    && CMAKE_ARGS="-DGGML_NATIVE=OFF" uv pip install --system --no-cache -r requirements.lock \
    && apt-get purge -y --auto-remove build-essential \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN uv pip install --system --no-cache --no-deps -e .
ENV HOST=0.0.0.0 PORT=8000 VAR_DIR=/var/lib/parla
EXPOSE 8000
CMD ["python", "-m", "deployments.launch"]
