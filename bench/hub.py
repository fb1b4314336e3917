"""What the benchmarks share: build the release binary, start it on a fresh database
(a temporary SQLite file, or a PostgreSQL database with a random name, dropped afterwards),
issue tokens, and talk to it over HTTP. Standard library only."""
import contextlib, json, os, secrets, shutil, socket, subprocess, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Where cargo builds it: CARGO_TARGET_DIR when set (relative to the repository, as cargo reads it).
BIN = os.path.join(ROOT, os.environ.get("CARGO_TARGET_DIR", "target"), "release", "gender-data-hub")


def build():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url, data=None, headers=None, timeout=600):
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data is not None else "GET")
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


@contextlib.contextmanager
def database(backend):
    """A fresh database URL for `sqlite` or `postgres` (GDH_BENCH_POSTGRES_URL names the server)."""
    if backend == "sqlite":
        tmp = tempfile.mkdtemp(prefix="gdh-bench-")
        try:
            yield f"sqlite://{tmp}/bench.db"
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    server = os.environ.get("GDH_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = "gdh_bench_" + secrets.token_hex(6)
    psql = ["psql", "-q", "-d", server + "/postgres", "-c"]
    subprocess.run(psql + [f'CREATE DATABASE "{name}"'], check=True)
    try:
        yield f"{server}/{name}"
    finally:
        subprocess.run(psql + [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'], check=False)


class Server:
    """The release binary serving `database_url` (seeded on first start) until closed."""

    def __init__(self, database_url, **settings):
        self.env = dict(os.environ, DATABASE_URL=database_url, GDH_JWT_SECRET=secrets.token_hex(32),
                        RUST_LOG="warn", GDH_SEEDS_DIR=os.path.join(ROOT, "seeds"), **settings)
        self.env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
        port = free_port()
        self.env["GDH_BIND"] = f"127.0.0.1:{port}"
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([BIN, "serve"], env=self.env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                request(self.base + "/readyz")
                return
            except Exception:
                time.sleep(0.1)
        self.close()
        raise RuntimeError("the server did not become ready")

    def token(self, *args):
        """`token issue` with these arguments, e.g. ("--role", "admin")."""
        return subprocess.run([BIN, "token", "issue", "--ttl", "1d", *args], env=self.env, check=True,
                              capture_output=True, text=True).stdout.strip()

    def rss_kib(self):
        """The server's resident memory, from /proc (Linux)."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=60)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
