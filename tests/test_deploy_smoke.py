"""Running it for real: nginx (deploy/nginx) in front of two gunicorn processes (deploy/gunicorn.conf.py).

The smoke test starts two gunicorn servers with production settings (DEBUG off, HTTPS redirect,
secure cookies, HSTS) on free ports, against this test run's database (PostgreSQL when
DATABASE_URL names it, else a copy of the SQLite test database) and Redis when one answers, and
an unprivileged nginx that terminates TLS (a throwaway certificate) on one free port and answers
plain HTTP on another, with the two as upstream and deploy/nginx/unionportal-proxy.conf included
as the site includes it. Through the proxy: /healthz with a foreign Host over plain HTTP, the
rest of plain HTTP redirected, a public page over HTTPS (seen as secure through
X-Forwarded-Proto), a sign-in, then requests answered by both upstreams that are all still
signed in. It also checks the compression rule (anonymous HTML compressed, signed-in never:
BREACH) and that the full site configuration passes `nginx -t`.

Skipped only when nginx (or openssl) is not installed (scripts/system-deps.sh installs Debian's
nginx, and .ci/run runs it). The Makefile's `make run`/`make test` guard against a .env is
checked here too."""

import gzip
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.conf import global_settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings

from stations import services as station_services
from stations.models import CheckIn, Station
from unionportal.core.testing import build_tree, make_user

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HAS_NGINX = os.path.exists(NGINX)
needs_nginx = pytest.mark.skipif(
    not (HAS_NGINX and shutil.which("openssl")),
    reason="nginx or openssl is not installed (scripts/system-deps.sh installs Debian's nginx)",
)
PASSWORD = "pw-for-tests"  # noqa: S105
HOST = "portal.test"
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


class Browser:
    """A tiny HTTP client that keeps cookies (whatever their Secure flag) and never follows redirects."""

    def __init__(self, port: int, *, tls: bool = True):
        self.port, self.tls = port, tls
        self.cookies: dict[str, str] = {}
        self.secure_cookies: set[str] = set()

    def request(self, method, path, *, body=None, headers=None, host=HOST):
        if self.tls:  # the test's own throwaway certificate
            context = ssl._create_unverified_context()
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30, context=context)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": host, "Accept-Encoding": "gzip", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["secure"]:
                    self.secure_cookies.add(name)
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        text = gzip.decompress(raw) if response.getheader("Content-Encoding") == "gzip" else raw
        return response, text.decode("utf-8", "replace")


def _wait_for(port: int, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"process on port {port} exited:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"Host": "10.9.8.7"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"nothing answered on port {port}:\n{log.read_text()[-3000:]}")


def _database_url(tmp_path: Path) -> str:
    """This run's test database, for processes outside pytest."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = urllib.parse.quote(s["USER"] or "")
        if s["PASSWORD"]:
            auth += ":" + urllib.parse.quote(s["PASSWORD"])
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    # SQLite tests run in memory: copy the migrated, committed test database to a file.
    path = tmp_path / "deploy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}"


def _certificate(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def _nginx_conf(tmp: Path, plain: int, tls: int, upstreams: list[int]) -> Path:
    """The site's two servers in small: port 80's (health checks, else HTTPS) and port 443's (TLS)."""
    user = "user root root;\n" if os.geteuid() == 0 else ""
    proxy = ROOT / "deploy" / "nginx" / "unionportal-proxy.conf"
    cert, key = _certificate(tmp)
    (tmp / "static" / "css").mkdir(parents=True)
    (tmp / "static" / "css" / "site.css").write_text("body{color:#123}\n" * 200)
    servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
    upstream_header = "add_header X-Upstream $upstream_addr always;"
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""{user}worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
  include /etc/nginx/mime.types;
  access_log {tmp}/nginx-access.log;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  upstream unionportal {{
{servers}
  }}
  server {{
    listen 127.0.0.1:{plain};
    server_name {HOST};
    location = /healthz {{ include {proxy}; {upstream_header} }}
    location = /readyz {{ include {proxy}; {upstream_header} }}
    location / {{ return 301 https://$host$request_uri; }}
  }}
  server {{
    listen 127.0.0.1:{tls} ssl;
    server_name {HOST};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    location /static/ {{ alias {tmp}/static/; gzip on; gzip_types text/css; }}
    location = /healthz {{ include {proxy}; {upstream_header} }}
    location / {{ include {proxy}; {upstream_header} }}
  }}
}}
"""
    )
    return conf


def _server_env(database_url: str, redis: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL")}
    env.update(
        ENV_FILE="/dev/null",
        DEBUG="0",
        SECRET_KEY="smoke-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        WELFARE_DATA_KEY="smoke-test-welfare-key-0123456789-abcdefghijklmnop",
        BALLOT_CHAIN_KEY="smoke-test-ballot-key-0123456789-abcdefghijklmnopq",
        ALLOWED_HOSTS=HOST,
        DATABASE_URL=database_url,
        CONN_MAX_AGE="0",
        TRUSTED_PROXY_COUNT="1",
        SERVE_MEDIA="0",
        STATIC_MANIFEST="0",
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        # Everything else as in production: HTTPS redirect, secure cookies, HSTS.
        GUNICORN_WORKERS="1",
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore",
    )
    if redis:
        env["REDIS_URL"] = REDIS_URL  # cache and sessions in Redis, shared by both servers
        env["CACHE_KEY_PREFIX"] = f"smoke-{os.getpid()}-{time.time_ns()}"  # this run's alone (rate limits)
    return env


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@needs_nginx
@pytest.mark.django_db(transaction=True)
def test_nginx_in_front_of_two_gunicorns(tmp_path):
    # The servers hash as production does (the suite's MD5 hasher is not in their list).
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        make_user("deploy_smoke")
    station = station_services.station_save(
        station=Station(
            union=build_tree().a, name="Smoke", kind=Station.Kind.OUTDOOR, lat=39.7, lng=116.1, is_public=True
        )
    )
    redis = _redis_reachable()
    env = _server_env(_database_url(tmp_path), redis)
    ports = [_free_port(), _free_port()]
    procs: list[subprocess.Popen] = []
    try:
        for port in ports:
            log = tmp_path / f"gunicorn-{port}.log"
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "unionportal.wsgi"],
                    cwd=ROOT,
                    env={**env, "PORT": str(port)},
                    stdout=log.open("w"),
                    stderr=subprocess.STDOUT,
                )
            )
        for port, proc in zip(ports, procs, strict=True):
            _wait_for(port, proc, tmp_path / f"gunicorn-{port}.log")

        plain_port, tls_port = _free_port(), _free_port()
        conf = _nginx_conf(tmp_path, plain_port, tls_port, ports)
        nginx_log = tmp_path / "nginx-out.log"
        nginx = subprocess.Popen(
            [NGINX, "-p", str(tmp_path), "-c", str(conf)], stdout=nginx_log.open("w"), stderr=subprocess.STDOUT
        )
        procs.append(nginx)
        _wait_for(plain_port, nginx, tmp_path / "nginx-error.log", timeout=20)

        # /healthz through the proxy over plain HTTP, whatever Host the balancer sends; the
        # rest of plain HTTP goes to HTTPS.
        balancer = Browser(plain_port, tls=False)
        response, body = balancer.request("GET", "/healthz", host="10.0.0.7")
        assert response.status == 200 and body == "ok"
        response, body = balancer.request("GET", "/readyz", host="10.0.0.7")
        assert response.status == 200 and json.loads(body)["checks"] == {"database": "ok", "cache": "ok"}
        response, _body = balancer.request("GET", "/stations/")
        assert response.status == 301 and response.getheader("Location") == f"https://{HOST}/stations/"

        anonymous = Browser(tls_port)
        response, body = anonymous.request("GET", "/healthz", host="10.0.0.7")
        assert response.status == 200 and body == "ok"

        # A public page over HTTPS: Django, with SECURE_SSL_REDIRECT on, sees the request as
        # secure through X-Forwarded-Proto (a 200, not a redirect); compressed for an anonymous
        # visitor (by Django: it holds no token and sets no cookie); HSTS set.
        response, body = anonymous.request("GET", "/")
        assert response.status == 200, (response.status, response.getheader("Location"), body[:500])
        assert "<html" in body and "csrfmiddlewaretoken" not in body
        assert response.getheader("Content-Encoding") == "gzip"
        assert "max-age=" in (response.getheader("Strict-Transport-Security") or "")
        response, body = anonymous.request("GET", "/static/css/site.css")  # nginx serves /static itself
        assert response.status == 200 and response.getheader("X-Upstream") is None

        # A station's page is one copy for all, compressed (its forms hold no token). A rider's
        # check-in takes its token from /csrf/ of one server and is accepted by the other.
        rider = Browser(tls_port)
        url = station.get_absolute_url()
        response, body = rider.request("GET", url)
        assert response.status == 200 and response.getheader("Content-Encoding") == "gzip"
        assert body.count('name="csrfmiddlewaretoken" value=""') == 2 and not rider.cookies
        served_by = []
        response, body = rider.request("GET", "/csrf/")
        served_by.append(response.getheader("X-Upstream"))
        response, body = rider.request(
            "POST",
            f"{url}checkin/",
            body=urllib.parse.urlencode({"csrfmiddlewaretoken": json.loads(body)["token"]}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}"},
        )
        served_by.append(response.getheader("X-Upstream"))
        assert response.status == 302 and response.getheader("Location") == url, body[:2000]
        assert len(set(served_by)) == 2, served_by  # round robin: /csrf/ from one, the check-in to the other
        if connection.vendor == "postgresql":
            assert CheckIn.objects.filter(station=station).count() == 1

        # Sign in through the proxy.
        user = Browser(tls_port)
        response, body = user.request("GET", "/accounts/login/")
        assert response.status == 200
        assert response.getheader("Content-Encoding") is None  # BREACH: a page with a CSRF token
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        form = urllib.parse.urlencode({"username": "deploy_smoke", "password": PASSWORD, "csrfmiddlewaretoken": token})
        response, body = user.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}/accounts/login/",
            },
        )
        assert response.status == 302, body[:2000]
        assert "sessionid" in user.cookies and "sessionid" in user.secure_cookies

        # Signed-in requests, spread over both upstreams: each still signed in, none compressed.
        upstreams = set()
        for _ in range(6):
            response, body = user.request("GET", "/accounts/profile/")
            assert response.status == 200, (response.status, response.getheader("Location"))
            assert "deploy_smoke" in body
            assert response.getheader("Content-Encoding") is None  # BREACH: signed-in pages
            upstreams.add(response.getheader("X-Upstream"))
        assert upstreams == {f"127.0.0.1:{p}" for p in ports}, upstreams
        # The same page for the anonymous visitor: sent to sign in.
        response, _body = anonymous.request("GET", "/accounts/profile/")
        assert response.status == 302
        # Hot pages (unionportal.core.pagecache.HotPages): the home page, answered hot by both
        # upstreams to the anonymous visitor, is never given to the signed-in one.
        seen = set()
        for _ in range(8):
            response, body = anonymous.request("GET", "/")
            assert response.status == 200 and "deploy_smoke" not in body
            seen.add((response.getheader("X-Upstream"), response.getheader("X-Page-Cache")))
        assert {(f"127.0.0.1:{p}", "hot") for p in ports} <= seen, seen
        for _ in range(4):
            response, body = user.request("GET", "/")
            assert response.status == 200 and "deploy_smoke" in body
            assert response.getheader("X-Page-Cache") is None
        if redis and connection.vendor == "postgresql":
            assert not Session.objects.exists()  # the session lived in Redis, shared by both servers
    finally:
        for proc in reversed(procs):
            _stop(proc)


@needs_nginx
def test_the_site_configuration_passes_nginx_t(tmp_path):
    """deploy/nginx/unionportal.conf as written, with only paths, ports and a test certificate swapped."""
    cert, key = _certificate(tmp_path)
    site = (ROOT / "deploy" / "nginx" / "unionportal.conf").read_text()
    site = site.replace("snippets/unionportal-proxy.conf", str(ROOT / "deploy" / "nginx" / "unionportal-proxy.conf"))
    site = site.replace("/etc/ssl/unionportal/fullchain.pem", str(cert))
    site = site.replace("/etc/ssl/unionportal/privkey.pem", str(key))
    site = site.replace("/srv/", f"{tmp_path}/srv/")
    site = re.sub(r"listen \[::\]:\d+[^;]*;", "", site)
    site = site.replace("listen 80;", f"listen 127.0.0.1:{_free_port()};")
    site = site.replace("listen 443 ssl", f"listen 127.0.0.1:{_free_port()} ssl")
    (tmp_path / "site.conf").write_text(site)
    user = "user root root;\n" if os.geteuid() == 0 else ""
    (tmp_path / "nginx.conf").write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n include /etc/nginx/mime.types;\n access_log off;\n"
        f" client_body_temp_path {tmp_path}/body;\n proxy_temp_path {tmp_path}/proxy;\n"
        f" include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- The Makefile ---------------------------------------------------------------------------


def _make_dry_run(*args: str) -> list[str]:
    """The commands `make` would run for `args`, with every prerequisite taken as up to date.

    Run from inside `make test` (as CI does), the outer make's flags and level would make this one
    print "Entering/Leaving directory" lines: they are dropped from its environment."""
    outer = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")
    env = {k: v for k, v in os.environ.items() if k not in outer}
    result = subprocess.run(
        ["make", "-n", "--no-print-directory", "-o", ".venv/.installed", "-o", "install", "-o", "static", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "DATABASE_URL": "postgres://nobody@10.255.255.1/production"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_run_and_test_name_sqlite_whatever_dot_env_says(tmp_path):
    run = [line for line in _make_dry_run("run", "HOST=0.0.0.0", "PORT=8123") if "manage.py" in line]
    assert run and all("DATABASE_URL=sqlite:///" in line for line in run), run
    assert any(line.endswith("runserver 0.0.0.0:8123") for line in run), run
    test = [line for line in _make_dry_run("test") if "pytest" in line or "manage.py" in line]
    first = [line for line in test if "DATABASE_URL=sqlite:///" in line]
    assert first and all("ENV_FILE=/dev/null" in line for line in test), test
    # lint runs exactly the checks `make test` runs before its tests.
    lint = [line for line in _make_dry_run("lint") if line.strip()]
    assert lint == [line for line in _make_dry_run("test") if line.strip()][: len(lint)]
    assert any("ruff format --check" in line for line in lint)
    # And settings obey: an explicit DATABASE_URL beats a .env naming another database.
    dot_env = tmp_path / ".env"
    dot_env.write_text("DATABASE_URL=postgres://nobody@10.255.255.1/production\n")
    code = "from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    for extra, engine in (
        ({"ENV_FILE": str(dot_env), "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}, "sqlite3"),
        ({"ENV_FILE": "/dev/null"}, "sqlite3"),
        ({"ENV_FILE": str(dot_env)}, "postgresql"),  # control: the .env is read otherwise
    ):
        out = subprocess.run(
            [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            env={**base, **extra},
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.strip() == f"django.db.backends.{engine}", extra
