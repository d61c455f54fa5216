"""Work every web worker would otherwise do on its first requests, done once before it serves.

gunicorn loads the site in its master process and forks the workers from it (preload_app in
deploy/gunicorn.conf.py, whose when_ready hook calls `warm_up`), so what is done here is done
once and shared: the URLconf's view modules imported, every template compiled into the cached
loader, and the published questions' prompts and highlighted snippets rendered into their
per-process caches (quizzes.fragments.warm_published_questions). Measured in-process on the
cluster's PostgreSQL, a worker's first attempt page cost ~70 ms of CPU and its later ones ~15;
after the warm-up its first costs ~28. That matters when a class starts an exam together and
every worker's first pages land in the same second, and each time gunicorn replaces a worker
(max_requests) during an exam.

The questions are read with a connection of the master's, closed before any worker is forked (a
connection would otherwise be shared by every worker); `warm_up` checks that none is left open
and fails loudly rather than serve so. A database that cannot be read yet only skips that part.
"""

import logging
import time
from pathlib import Path

from django.db import DatabaseError, connections
from django.template import engines
from django.urls import get_resolver

from quizzes.fragments import warm_published_questions

logger = logging.getLogger(__name__)


class WarmUpOpenedConnection(RuntimeError):
    """The warm-up left a connection open that forked workers would share."""


def compile_templates() -> int:
    """Compile every template of every Django template engine (the project's and the installed
    apps' directories) into its cached loader; how many."""
    count = 0
    for engine in engines.all():
        for directory in engine.template_dirs:
            for path in sorted(Path(directory).rglob("*.html")):
                engine.get_template(path.relative_to(directory).as_posix())
                count += 1
    return count


def warm_up() -> None:
    began = time.process_time()
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    templates = compile_templates()
    try:
        shown = warm_published_questions()
    except DatabaseError as error:
        logger.warning("Warm-up: questions not read (%s); workers render them when asked", error)
        shown = 0
    finally:
        connections.close_all()
    opened = [db.alias for db in connections.all(initialized_only=True) if db.connection]
    if opened:
        raise WarmUpOpenedConnection(f"the warm-up opened database connections: {opened}")
    logger.info(
        "Warmed up before forking workers: %d templates compiled, %d questions as shown "
        "rendered, in %.2f s of CPU",
        templates,
        shown,
        time.process_time() - began,
    )
