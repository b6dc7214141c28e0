"""Hosts for the cluster test: Linux network namespaces joined by veth pairs to one bridge.

Each host is a namespace `<run>-<host>` with one interface, eth0, at 10.17.0.N/24; its peer
is a port of the bridge br0, which lives in a namespace of its own (`<run>-switch`), so the
machine's own network is never touched and several runs can coexist. The test process itself
joins the `client` host (setns), so its requests cross the bridge like any other host's.

`python -m tests.cluster.network sweep` removes what a run killed before its cleanup left:
every namespace `ct<pid>-*` whose process is gone, with whatever still runs in it.
"""

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

SUBNET = "10.17.0"
NETNS_DIR = Path("/run/netns")
CLONE_NEWNET = 0x40000000
RUN_PATTERN = re.compile(r"^ct(\d+)-")


def ip(*arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `ip ARGUMENTS`."""
    return subprocess.run(  # noqa: S603
        ["ip", *arguments],  # noqa: S607
        check=check,
        capture_output=True,
        text=True,
        timeout=30,
    )


def enter(namespace_path: str) -> None:
    """Move the calling thread (and the threads and processes it starts) into a namespace."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(namespace_path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            error = ctypes.get_errno()
            raise OSError(error, f"setns {namespace_path}: {os.strerror(error)}")
    finally:
        os.close(fd)


class Network:
    """The hosts of one run; `close()` removes them all, and stops what still runs in them."""

    def __init__(self, hosts: dict[str, int], run: str | None = None) -> None:
        self.run = run or f"ct{os.getpid()}"
        self.hosts = dict(hosts)  # host -> last byte of its address
        self.switch = f"{self.run}-switch"
        self._home: int | None = None

    def namespace(self, host: str) -> str:
        return f"{self.run}-{host}"

    def address(self, host: str) -> str:
        return f"{SUBNET}.{self.hosts[host]}"

    def create(self) -> None:
        """The switch and every host, each host's eth0 up on the bridge."""
        ip("netns", "add", self.switch)
        ip("-n", self.switch, "link", "set", "lo", "up")
        ip("-n", self.switch, "link", "add", "br0", "type", "bridge")
        ip("-n", self.switch, "link", "set", "br0", "up")
        for host in self.hosts:
            namespace = self.namespace(host)
            ip("netns", "add", namespace)
            ip("-n", namespace, "link", "set", "lo", "up")
            ip(
                "-n",
                self.switch,
                "link",
                "add",
                host,
                "type",
                "veth",
                "peer",
                "eth0",
                "netns",
                namespace,
            )
            ip("-n", self.switch, "link", "set", host, "master", "br0", "up")
            ip("-n", namespace, "addr", "add", f"{self.address(host)}/24", "dev", "eth0")
            ip("-n", namespace, "link", "set", "eth0", "up")

    def join(self, host: str) -> None:
        """This thread into `host` (back home at close())."""
        if self._home is None:
            self._home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        enter(str(NETNS_DIR / self.namespace(host)))

    def command(self, host: str, *command: str) -> list[str]:
        """`command` as run on `host`."""
        return ["ip", "netns", "exec", self.namespace(host), *command]

    def link(self, host: str, up: bool) -> None:
        """Plug `host`'s cable in or pull it out (its address stays)."""
        ip("-n", self.namespace(host), "link", "set", "eth0", "up" if up else "down")

    def close(self) -> None:
        """Back to the machine's namespace; every process left in a host stopped; every
        namespace deleted (their interfaces and the bridge go with them)."""
        if self._home is not None:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.setns(self._home, CLONE_NEWNET)
            os.close(self._home)
            self._home = None
        for namespace in [*map(self.namespace, self.hosts), self.switch]:
            remove_namespace(namespace)


def remove_namespace(namespace: str) -> None:
    """Stop whatever runs in a namespace (TERM, then KILL), then delete it."""
    if not (NETNS_DIR / namespace).exists():
        return
    for signum in (signal.SIGTERM, signal.SIGKILL):
        pids = ip("netns", "pids", namespace, check=False).stdout.split()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, ValueError):
                os.kill(int(pid), signum)
        deadline = time.monotonic() + 5
        while pids and time.monotonic() < deadline:
            time.sleep(0.1)
            pids = ip("netns", "pids", namespace, check=False).stdout.split()
        if not pids:
            break
    ip("netns", "delete", namespace, check=False)


def sweep() -> list[str]:
    """Remove the namespaces of runs whose process is gone; the names removed."""
    removed = []
    for path in sorted(NETNS_DIR.glob("ct*-*")) if NETNS_DIR.exists() else ():
        match = RUN_PATTERN.match(path.name)
        if match and not Path(f"/proc/{match.group(1)}").exists():
            remove_namespace(path.name)
            removed.append(path.name)
    return removed


if __name__ == "__main__":
    if sys.argv[1:] != ["sweep"]:
        sys.exit("usage: python -m tests.cluster.network sweep")
    for name in sweep():
        print(f"removed the namespace {name}, left by a run that died")
