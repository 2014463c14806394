#!/usr/bin/env python3
"""Local HTTP ingest-list server for the resolver tests (loopback only, python3 stdlib).

Serves good, slow, broken, huge and redirecting answers. Listens on 127.0.0.1, port 0 unless
given; prints "READY <port>" on stdout (and writes the port to --ready-file) once listening,
then one "HIT <path>" line per request so a test can tell a request reached it. Exits by itself
after --lifetime seconds so a crashed test never leaves it behind.

With --tls-cert/--tls-key it serves HTTPS instead (the tests make a throwaway certificate).

Paths (targets = comma-separated host:port, IPv6 as [::1]:port):
  /twitch?targets=..        Twitch / Amazon IVS shape, url_template rtmp://T/app/{stream_key}
  /generic?targets=..       generic shape {"ingests":[{"url":"rtmp://T/app","priority":i}]}
  /cached?targets=..        generic + Cache-Control: max-age=60 and a "serial" counter
  /ua?targets=..            generic, but 403 unless the User-Agent is obs-rtmp-goaway/<version>
  /slow?seconds=S           answers (a good list) after S seconds (at most 30)
  /broken                   200 with a body that is not JSON
  /wrongshape               200 with a JSON array
  /badentries               Twitch shape whose entries have no host / an http scheme
  /huge                     200 with 2 MiB and a Content-Length
  /huge-stream              200 with 2 MiB streamed without a Content-Length
  /redirect-loop            302 to itself forever
  /redirect?to=URL          302 to URL (a path on this server or an absolute URL)
  /status?code=N            answers HTTP N
"""
import argparse
import os
import ssl
import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

serial_lock = threading.Lock()
serial = {"n": 0}


def targets(query):
    raw = query.get("targets", [""])[0]
    return [t for t in raw.split(",") if t]


def generic(ts):
    return {"ingests": [{"url": "rtmp://%s/app" % t, "priority": i, "name": "node %d" % i} for i, t in enumerate(ts)]}


def twitch(ts):
    return {"ingests": [{"_id": i, "availability": 1.0, "default": i == 0, "name": "Node %d" % i, "priority": i,
                         "url_template": "rtmp://%s/app/{stream_key}" % t,
                         "url_template_secure": "rtmps://%s/app/{stream_key}" % t} for i, t in enumerate(ts)]}


class Handler(BaseHTTPRequestHandler):
    server_version = "goaway-test-ingest-list"

    def log_message(self, fmt, *args):  # quiet: the HIT lines are the log
        pass

    def send_body(self, code, body, content_type="application/json", headers=None):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query)
        print("HIT %s" % url.path, flush=True)
        ts = targets(query)
        try:
            self.route(url.path, query, ts)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (size cap, timeout): expected in these tests

    def route(self, path, query, ts):
        if path == "/twitch":
            self.send_body(200, json.dumps(twitch(ts)))
        elif path == "/generic":
            self.send_body(200, json.dumps(generic(ts)))
        elif path == "/cached":
            with serial_lock:
                serial["n"] += 1
                doc = generic(ts)
                doc["serial"] = serial["n"]
            self.send_body(200, json.dumps(doc), headers={"Cache-Control": "public, max-age=60"})
        elif path == "/ua":
            agent = self.headers.get("User-Agent", "")
            ok = agent.startswith("obs-rtmp-goaway/") and agent[len("obs-rtmp-goaway/"):][:1].isdigit()
            self.send_body(200 if ok else 403, json.dumps(generic(ts)) if ok else "wrong user agent")
        elif path == "/slow":
            time.sleep(min(float(query.get("seconds", ["5"])[0]), 30.0))
            self.send_body(200, json.dumps(generic(ts or ["127.0.0.1:1"])))
        elif path == "/broken":
            self.send_body(200, "<html><body>502 Bad Gateway</body></html>", "text/html")
        elif path == "/wrongshape":
            self.send_body(200, json.dumps([{"url": "rtmp://127.0.0.1/app"}]))
        elif path == "/badentries":
            self.send_body(200, json.dumps({"ingests": [
                {"name": "no host", "url_template": "rtmp:///app/{stream_key}"},
                {"name": "web", "url_template": "http://127.0.0.1/app/{stream_key}"}]}))
        elif path == "/huge":
            self.send_body(200, b"[" + b"0," * (1024 * 1024) + b"0]")
        elif path == "/huge-stream":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()  # HTTP/1.0 without Content-Length: the body ends at close
            chunk = b" " * 65536
            for _ in range(32):
                self.wfile.write(chunk)
        elif path == "/redirect-loop":
            self.send_body(302, "", headers={"Location": "/redirect-loop"})
        elif path == "/redirect":
            self.send_body(302, "", headers={"Location": query.get("to", ["/generic"])[0]})
        elif path == "/status":
            self.send_body(int(query.get("code", ["500"])[0]), "error")
        else:
            self.send_body(404, "not found")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file")
    parser.add_argument("--lifetime", type=float, default=120.0)
    parser.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    parser.add_argument("--tls-key", help="private key (PEM) for --tls-cert")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    port = server.server_address[1]
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.replace(args.ready_file + ".tmp", args.ready_file)
    print("READY %d" % port, flush=True)
    timer = threading.Timer(args.lifetime, server.shutdown)
    timer.daemon = True
    timer.start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
