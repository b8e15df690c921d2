"""``python -m nicepay_snap simulate [--port N]``: runs the bundled NICEPAY simulator until
interrupted, printing its connection details (one JSON line, TEST-ONLY credentials) first."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from nicepay_snap.testing import Simulator


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m nicepay_snap")
    commands = parser.add_subparsers(dest="command", required=True)
    simulate = commands.add_parser("simulate", help="run the NICEPAY SNAP simulator on 127.0.0.1")
    simulate.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args()
    with Simulator(port=args.port) as sim:
        print(json.dumps(sim.info), flush=True)
        print(f"dashboard and admin API on {sim.base_url} (Ctrl-C stops)", file=sys.stderr, flush=True)
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            stopped.wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
