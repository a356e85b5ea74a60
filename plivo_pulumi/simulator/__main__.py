"""``plivo-sim`` / ``python -m plivo_pulumi.simulator``: run the simulated Plivo Number API."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from .faults import DEFAULT_FAULTS, FaultInjector
from .models import NUMBER_SHAPES, PlivoState, SeedError
from .seed import default_seed, load_seed_file
from .server import SimulatorServer


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="plivo-sim",
        description="A local simulator of the Plivo Number API (list, get, edit, unrent), Application API "
        "and PhoneNumber API (search, buy) over HTTP, "
        "with an admin API under /__sim__/ for seeding, request logs, out-of-band changes and faults.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    p.add_argument("--seed", metavar="FILE", help="YAML/JSON seed file (default: the built-in seed)")
    p.add_argument(
        "--ready-file",
        metavar="PATH",
        help="once listening, atomically write JSON {base_url, admin_url, auth_id, auth_token, pid} here",
    )
    p.add_argument(
        "--number-shape",
        choices=NUMBER_SHAPES,
        default=None,
        help="the number object's fields: reference (exactly the API reference's, no subaccount), "
        "sub_account, subaccount, current (default: the live API's object today, sub_account as the "
        "bare auth id) or current_uri (the same, sub_account as the URI); a seed's number_shape "
        "overrides it",
    )
    p.add_argument("--latency-ms", type=float, default=0, help="added latency per API request")
    p.add_argument("--latency-jitter-ms", type=float, default=0, help="random extra latency, 0..N ms")
    p.add_argument("--error-rate", type=float, default=0.0, help="probability of an injected 5xx")
    p.add_argument(
        "--error-statuses",
        default=",".join(str(s) for s in DEFAULT_FAULTS["error_statuses"]),
        help="comma-separated statuses for injected errors (default 500,503)",
    )
    p.add_argument("--rate-limit-rate", type=float, default=0.0, help="probability of an injected 429")
    p.add_argument("--retry-after", type=int, default=1, help="Retry-After seconds sent with injected 429s")
    p.add_argument(
        "--drop-rate", type=float, default=0.0, help="probability of closing the connection unanswered"
    )
    p.add_argument(
        "--buy-lost",
        type=int,
        default=0,
        metavar="N",
        help="the next N PhoneNumber buys are made, then their connection is closed unanswered",
    )
    p.add_argument(
        "--buy-taken",
        default="",
        metavar="NUMBERS",
        help="comma-separated numbers ('*': any) whose next buy finds them bought by someone else (404)",
    )
    p.add_argument("--fault-seed", type=int, default=None, help="seed of the fault random generator")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument(
        "--show-credentials", action="store_true", help="also print the main account's auth token at start"
    )
    return p


def _write_ready_file(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".plivo-sim-", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        seed = load_seed_file(args.seed) if args.seed else None
        state = PlivoState(seed, default_seed=default_seed(), number_shape=args.number_shape)
    except SeedError as exc:
        prefix = (
            ""
            if args.seed and str(exc).startswith(str(args.seed))
            else (f"{args.seed}: " if args.seed else "")
        )
        print(f"plivo-sim: invalid seed: {prefix}{exc}", file=sys.stderr)
        return 2
    try:
        statuses = [int(s) for s in args.error_statuses.split(",") if s.strip()]
        faults = FaultInjector(
            {
                "latency_ms": args.latency_ms,
                "latency_jitter_ms": args.latency_jitter_ms,
                "error_rate": args.error_rate,
                "error_statuses": statuses,
                "rate_limit_rate": args.rate_limit_rate,
                "retry_after": args.retry_after,
                "drop_rate": args.drop_rate,
                "seed": args.fault_seed,
                "buy_lost": args.buy_lost,
                "buy_taken": [n.strip() for n in args.buy_taken.split(",") if n.strip()],
            }
        )
    except ValueError as exc:
        print(f"plivo-sim: invalid fault setting: {exc}", file=sys.stderr)
        return 2
    try:
        server = SimulatorServer((args.host, args.port), state, faults, quiet=args.quiet)
    except OSError as exc:
        print(f"plivo-sim: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 2

    stopping = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    main_account = state.main_account()
    ready = {
        "base_url": server.base_url,
        "admin_url": server.admin_url,
        "auth_id": main_account.auth_id,
        "auth_token": main_account.auth_token,
        "pid": os.getpid(),
    }
    ready_path = Path(args.ready_file) if args.ready_file else None
    if not args.quiet:
        where = f"in {ready_path}" if ready_path else "shown with --show-credentials"
        token = f"auth token {main_account.auth_token}" if args.show_credentials else f"auth token {where}"
        print(
            f"plivo-sim: Plivo Number API at {server.base_url} for account {main_account.auth_id} ({token}); "
            f"admin API at {server.admin_url}",
            flush=True,
        )
    if ready_path is not None:
        _write_ready_file(ready_path, ready)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if ready_path is not None:
            try:
                ready_path.unlink()
            except OSError:
                pass
    if not args.quiet:
        print("plivo-sim: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
