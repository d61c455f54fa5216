"""gunicorn settings for the site: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Each value can be set from the environment. Web processes never run snippets (the grader client
sends them to the machine's grader service or to grader workers), so a web worker spends its
time on the database and templates, most of it on the CPU: sync workers, two per CPU. More only
take turns on the CPUs: on 2 CPUs, 8 workers served an exam's 500 starts more slowly than 4 (the
cluster runs two web processes on one machine and gives each its share: scripts/cluster.sh).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * len(os.sched_getaffinity(0)))))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# An admin save waits for the grader (GRADER_TIMEOUT_SECONDS, 60 by default): give it that and
# more before gunicorn kills the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# The site is loaded once, in the master, and warmed up there (config/warm.py: templates
# compiled, the questions' snippets highlighted) before the workers are forked from it: no worker
# pays for that on its first pages, neither at the start nor when it replaces one (max_requests).
# A changed deployment's code is loaded by a restart of the master (systemctl restart), not by a
# HUP, which only replaces the workers.
preload_app = True
# Replace a worker now and then, so a slow leak cannot grow for ever; but not during an exam: a
# class of 500 sends ~15,000 requests, ~3,750 to each of 4 workers, and at 2,000 (+0-200) every
# worker was replaced in the same few seconds, twice an exam, once in the middle of its opening
# (each new one opens its database connection and fills its caches again). The wide jitter keeps
# workers that started together from being replaced together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = max_requests // 2
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Behind nginx on the same machine (deploy/nginx.conf): trust its X-Forwarded-* headers.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """In the master, the site loaded (preload_app), before any worker is forked."""
    from config.warm import warm_up

    warm_up()
