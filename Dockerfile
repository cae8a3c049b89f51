# The service: python:3.11-slim, CPU torch, Graphviz from pygraphviz's wheel,
# a non-root user, uvicorn with two worker processes.
# Build: docker build -t autograd-viz .   Run: docker run -p 8000:8000 autograd-viz
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    AUTOGRAD_VIZ_HOST=0.0.0.0 \
    AUTOGRAD_VIZ_WORKERS=2

# A font, for text in PNG graphs (scripts/bootstrap installs the same when it
# may; here we are root, the app user is not), and tini as PID 1, so evaluation
# processes orphaned by a crash are reaped at once.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core tini \
    && rm -rf /var/lib/apt/lists/*

# The app user owns its folder: COPY --chown changes only what it copies, and
# the set-up below (as that user) creates .venv in the folder itself.
RUN useradd --create-home --uid 10001 app \
    && install -d -o app -g app /srv/autograd-viz
WORKDIR /srv/autograd-viz
COPY --chown=app:app . .
USER app

# The same set-up as the README's commands and .ci/run: .venv, pinned by
# constraints.txt, torch 2.13.0 from the CPU index; without the dev tools.
RUN scripts/bootstrap --runtime

EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD [".venv/bin/python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD [".venv/bin/python", "-m", "app", "serve"]
