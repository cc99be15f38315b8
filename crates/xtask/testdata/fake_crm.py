#!/usr/bin/env python3
"""Stand-in for `crm serve` used by xtask's ignored self-test.

Implements just what `cargo xtask test`'s Schemathesis step relies on:
health, login, personal API tokens and an OpenAPI document (paths under
/api/v1, no `servers` entry), plus one protected operation that answers 500
unless the API token is sent, so a missing header fails the run.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACCESS = "access-123"
SECRET = "crm_pat_secret"

OBJ = {"type": "object"}
DOC = {
    "openapi": "3.1.0",
    "info": {"title": "fake crm", "version": "0"},
    "paths": {
        "/api/v1/health": {
            "get": {
                "operationId": "health",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {
                            "type": "object",
                            "properties": {"status": {"type": "string"}},
                            "required": ["status"],
                        }}},
                    }
                },
            }
        },
        "/api/v1/widgets/{id}": {
            "get": {
                "operationId": "get_widget",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "integer", "format": "int64"}}],
                "responses": {
                    "200": {"description": "found", "content": {"application/json": {"schema": {
                        "type": "object",
                        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
                        "required": ["id", "name"],
                    }}}},
                    "400": {"description": "bad id", "content": {"application/json": {"schema": OBJ}}},
                    "404": {"description": "missing", "content": {"application/json": {"schema": OBJ}}},
                },
            }
        },
    },
}


class Handler(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return None

    def handle_any(self):
        path = self.path.split("?", 1)[0]
        method = self.command
        auth = self.headers.get("Authorization", "")
        if path == "/api/v1/health" and method == "GET":
            return self.reply(200, {"status": "ok"})
        if path == "/api/v1/openapi.json" and method == "GET":
            return self.reply(200, DOC)
        if path == "/api/v1/auth/login" and method == "POST":
            b = self.body() or {}
            if b.get("username") == "admin" and b.get("password") == "demo1234":
                return self.reply(200, {"access_token": ACCESS, "token_type": "Bearer"})
            return self.reply(401, {"error": "bad credentials"})
        if path == "/api/v1/me/tokens" and method == "POST":
            if auth != f"Bearer {ACCESS}":
                return self.reply(401, {"error": "unauthorized"})
            return self.reply(201, {"id": 1, "name": (self.body() or {}).get("name"), "token": SECRET})
        if path.startswith("/api/v1/widgets/"):
            if auth != f"Bearer {SECRET}":
                # Deliberately a server error: the API token must reach every request.
                return self.reply(500, {"error": "API token missing"})
            if method != "GET":
                return self.reply(405, {"error": "method not allowed"})
            raw = path.rsplit("/", 1)[1]
            try:
                wid = int(raw)
            except ValueError:
                return self.reply(400, {"error": "bad id"})
            if wid == 1:
                return self.reply(200, {"id": 1, "name": "one"})
            return self.reply(404, {"error": "not found"})
        return self.reply(404 if method == "GET" else 405, {"error": "no route"})

    def __getattr__(self, name):
        # Every method (GET, ..., TRACE, QUERY, made-up ones) goes to handle_any.
        if name.startswith("do_"):
            return self.handle_any
        raise AttributeError(name)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))


def main():
    args = sys.argv[1:]
    assert args[:1] == ["serve"], args
    assert "--demo" in args, args
    assert args[args.index("--database-url") + 1].startswith("sqlite:///"), args
    host, port = args[args.index("--bind") + 1].rsplit(":", 1)
    print(f"fake crm listening on http://{host}:{port}", flush=True)
    ThreadingHTTPServer((host, int(port)), Handler).serve_forever()


if __name__ == "__main__":
    main()
