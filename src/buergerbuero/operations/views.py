"""Probes for the county's monitoring and load balancer (docs/operations.md).

`/healthz`: the process lives and answers; nothing else is asked, so a database outage
never makes an orchestrator restart every process at once.
`/readyz`: this process can serve: the database answers, Redis answers (when configured),
every migration is applied, this process's ticker runs, and the process is not stopping
(after SIGTERM, while it tells its clients to reconnect elsewhere, `process` is
"stopping", so a load balancer sends no new visitor to it). 503 with the failed checks
otherwise.

Both are cheap (three small queries at most), carry no personal data and are never
cached; `middleware.ProbeMiddleware` answers them before the session, CSRF and host
machinery. The error texts of failed checks go nowhere: a probe every
few seconds during an outage would flood the log, and the ticker already logs it.
"""

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis import Redis
from redis.exceptions import RedisError

from buergerbuero.live import heartbeat, shutdown

# How long a Redis probe may take before Redis counts as away.
REDIS_TIMEOUT_SECONDS = 1.0
_redis_clients: dict[str, Redis] = {}
# Results that let a process take requests ("not checked": the database already failed).
NOT_FAILED = {"ok", "not configured", "not checked", "running", "starting", "serving"}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    checks = {
        "database": database,
        "migrations": check_migrations() if database == "ok" else "not checked",
        "redis": check_redis(),
        "ticker": heartbeat.state(),
        "process": "stopping" if shutdown.draining() else "serving",
    }
    failed = [name for name, result in checks.items() if result not in NOT_FAILED]
    return JsonResponse(
        {"status": "not ready" if failed else "ready", "failed": failed, "checks": checks},
        status=503 if failed else 200,
    )


def check_database() -> str:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Error:
        return "unavailable"
    return "ok"


def check_migrations() -> str:
    """Whether the migration plan up to the code's latest migrations is empty (about 3 ms:
    the migration modules are imported once per process)."""
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Error:
        return "unavailable"
    return "ok" if not plan else "not applied"


def check_redis() -> str:
    url = settings.REDIS_URL
    if not url:
        return "not configured"
    client = _redis_clients.get(url)
    if client is None:
        client = _redis_clients[url] = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
        )
    try:
        client.ping()
    except (RedisError, OSError):
        return "unavailable"
    return "ok"
