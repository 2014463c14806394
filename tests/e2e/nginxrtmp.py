"""nginx-rtmp as a real RTMP peer for the tests: one private nginx (no daemon, no master) with an
application `live` on 127.0.0.1, its configuration, pid and logs in the test's work dir. Used as
a context manager; the port is picked free (retried when another process takes it first)."""

import os
import signal
import socket
import subprocess
import time

START_ATTEMPTS = 3  # a free port can be taken between picking it and nginx binding it
START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 20

CONF = """
load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
error_log {dir}/error.log info;
pid {dir}/nginx.pid;
events {{ worker_connections 64; }}
rtmp {{
  server {{
    listen 127.0.0.1:{port};
    chunk_size 4096;
    application live {{
      live on;
{record}
    }}
  }}
}}
"""
RECORD = """      record all;
      record_path {dir}/rec;
      record_unique off;"""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


class NginxRtmp:
    """`with NginxRtmp(workdir, record=True) as nginx:` publish to rtmp://127.0.0.1:{nginx.port}/live/KEY;
    with record=True the stream is recorded to {workdir}/rec/KEY.flv, closed properly on exit."""

    def __init__(self, workdir, record=False):
        self.workdir, self.record, self.proc, self.port = workdir, record, None, None

    def __enter__(self):
        if self.record:
            os.makedirs(os.path.join(self.workdir, "rec"), exist_ok=True)
        conf = os.path.join(self.workdir, "nginx.conf")
        log = os.path.join(self.workdir, "error.log")
        for _ in range(START_ATTEMPTS):
            self.port = _free_port()
            with open(conf, "w") as f:
                f.write(CONF.format(dir=self.workdir, port=self.port,
                                    record=RECORD.format(dir=self.workdir) if self.record else ""))
            self.proc = subprocess.Popen(["nginx", "-p", self.workdir, "-c", conf, "-e", log],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.monotonic() + START_TIMEOUT_S
            while self.proc.poll() is None and not _accepts(self.port) and time.monotonic() < deadline:
                time.sleep(0.05)  # polling for the listening socket, bounded
            if self.proc.poll() is None and _accepts(self.port):
                return self
            self._stop()
        raise RuntimeError("nginx-rtmp did not start, see %s" % log)

    def __exit__(self, *exc):
        self._stop()
        return False

    def _stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT)  # graceful: a recording is closed properly
        try:
            self.proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
