"""Loopback nodes for tests: `puente federation up` in a subprocess (one uvicorn
process per node, real HTTP), tokens from `puente federation token`, and the
exchange log of a node read through its API."""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from puente.exchange.cli import PUENTE

NODES = ["COL", "PAN", "HUB"]


def free_base_port(count: int = 3) -> int:
    # Start at a random block: several test runs on one machine probing the same
    # first free block at once would each get it, and bind one another's ports.
    blocks = list(range(18200, 19000, 10))
    start = random.randrange(len(blocks))  # noqa: S311 - not for secrets
    for base in blocks[start:] + blocks[:start]:
        try:
            for port in range(base, base + count):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


def token(root: Path, node: str, user: str) -> str:
    done = subprocess.run(
        [*PUENTE, "federation", "token", node, user, "--root", str(root)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


@dataclass
class Federation:
    root: Path
    base_port: int
    tokens: dict[tuple[str, str], str]
    extra: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def port(self, node: str) -> int:
        return self.base_port + NODES.index(node)

    def url(self, node: str) -> str:
        return f"http://127.0.0.1:{self.port(node)}"

    def call(
        self, node: str, user: str, method: str, path: str, body: Any = None
    ) -> httpx.Response:
        if (node, user) not in self.tokens:
            self.tokens[(node, user)] = token(self.root, node, user)
        return httpx.request(
            method,
            self.url(node) + path,
            json=body,
            headers={"Authorization": f"Bearer {self.tokens[(node, user)]}"},
            timeout=60,
        )

    def log(self, node: str) -> list[dict[str, Any]]:
        answer = self.call(
            node, f"auditor.{node.lower()}", "GET", "/api/v1/exchange/log"
        )
        assert answer.status_code == 200, answer.text
        entries: list[dict[str, Any]] = answer.json()
        return entries


@contextmanager
def federation_up(
    root: Path, nodes: list[str], *, agreement: bool = True
) -> Iterator[Federation]:
    """Nodes (a prefix of COL, PAN, HUB) on loopback until the block ends."""
    assert nodes == NODES[: len(nodes)]
    base = free_base_port(len(nodes))
    process = subprocess.Popen(
        [
            *PUENTE,
            "federation",
            "up",
            "--nodes",
            ",".join(nodes),
            "--base-port",
            str(base),
            "--root",
            str(root),
            "--agreement" if agreement else "--no-agreement",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    fed = Federation(root, base, {})
    try:
        assert process.stdout is not None
        ready = False
        for line in process.stdout:
            if line.strip() == "ready":
                ready = True
                break
        assert ready, "federation up stopped before its nodes were ready"
        yield fed
    finally:
        for extra in fed.extra:
            extra.terminate()
            extra.wait(20)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()


def until(check: Callable[[], Any], seconds: float = 90) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError("timed out")
