"""Running the real command line in a subprocess, as a user would."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def cli(data_dir: Path | None, *args: str, timeout: float = 300, env: dict | None = None,
        input: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "archive"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
    full_env.pop("POLICY_ARCHIVE_DATA", None) if env is None or "POLICY_ARCHIVE_DATA" not in env else None
    return subprocess.run(cmd + list(args), capture_output=True, text=True, timeout=timeout, env=full_env,
                          input=input)


def cli_json(data_dir: Path | None, *args: str, **kw):
    proc = cli(data_dir, *args, "--json", **kw)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


class Server:
    """`policy-archive serve` in a subprocess on a free loopback port (the real WSGI server)."""

    def __init__(self, data_dir: Path, *args: str, stderr=subprocess.PIPE):
        # a server that logs much (a load test) needs a file for stderr: a full pipe would stall it
        self.proc = subprocess.Popen([sys.executable, "-m", "archive", "--data-dir", str(data_dir), "serve",
                                      "--port", "0", *args], stdout=subprocess.PIPE, stderr=stderr, text=True,
                                     cwd=data_dir.parent)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("Serving on "):
            self.proc.kill()
            raise RuntimeError(f"server did not start: {line!r} {self.proc.stderr.read() if self.proc.stderr else ''}")
        self.url = line.removeprefix("Serving on ")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.proc.stdout.close()
        if self.proc.stderr:
            self.proc.stderr.close()
