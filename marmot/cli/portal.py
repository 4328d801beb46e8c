"""``marmot portal``: the partner portal's accounts and API tokens, and its web server (``serve``)."""

from __future__ import annotations

import getpass
import sys

from marmot.settings import paths as home_paths
from marmot.settings import portal_port


def _password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise SystemExit("marmot portal: the two passwords differ")
    return first


def cmd_users(args) -> int:
    from marmot.contracts import load_contracts
    from marmot.portal import accounts

    p = home_paths()
    try:
        if args.action == "add":
            if bool(args.partner) == args.data_team:
                print("marmot portal users add: give --partner CODE or --data-team", file=sys.stderr)
                return 2
            user = accounts.add_user(p, load_contracts(), args.username, _password(args),
                                     accounts.DATA_TEAM if args.data_team else accounts.PARTNER, args.partner)
            print(f"added {user.username} ({user.partner or 'data team'})")
        elif args.action == "remove":
            accounts.remove_user(p, args.username)
            print(f"removed {args.username}; their sessions ended")
        elif args.action == "reset":
            accounts.reset_password(p, args.username, _password(args))
            print(f"new password for {args.username}; their sessions ended")
        else:
            for u in accounts.list_users(p):
                print(f"{u.username}\t{u.role}\t{u.partner or '-'}")
    except accounts.AccountError as exc:
        print(f"marmot portal users {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_tokens(args) -> int:
    from marmot.contracts import load_contracts
    from marmot.portal import accounts

    p = home_paths()
    try:
        if args.action == "add":
            token = accounts.add_token(p, load_contracts(), args.partner, args.name or args.partner)
            print(f"API token for {args.partner} (shown once; kept only as its hash):\n{token}")
        elif args.action == "revoke":
            accounts.revoke_token(p, args.partner)
            print(f"revoked the token {args.partner!r}")
        else:
            for name, partner, created in accounts.list_tokens(p):
                print(f"{name}\t{partner}\t{created}")
    except accounts.AccountError as exc:
        print(f"marmot portal tokens {args.action}: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_serve(args) -> int:
    import uvicorn

    from marmot.portal.app import create_app
    from marmot.settings import pseudonym_key

    pseudonym_key()  # the pre-check runs ingest's checks, which need it: say so now, not at the first upload
    app = create_app()
    print(f"partner portal on http://{args.host}:{args.port}/ ; Ctrl-C stops", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", server_header=False)
    return 0


def cmd_portal(args) -> int:
    return args.portal_func(args)


def register(add) -> None:
    """Add ``portal`` and its subcommands (``add(name, func, help)`` returns the subparser)."""
    p = add("portal", cmd_portal, "The partner portal: accounts, API tokens, web server.")
    sub = p.add_subparsers(dest="portal_command", required=True, metavar="COMMAND")

    users = sub.add_parser("users", help="add, remove, reset or list portal users")
    users.set_defaults(portal_func=cmd_users)
    users.add_argument("action", choices=["add", "remove", "reset", "list"])
    users.add_argument("username", nargs="?", default="")
    users.add_argument("--partner", help="the partner code (a contract file's prefix, e.g. skills)")
    users.add_argument("--data-team", action="store_true", help="a data team user: sees every partner")
    users.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    tokens = sub.add_parser("tokens", help="add (or replace), revoke or list a partner's API token")
    tokens.set_defaults(portal_func=cmd_tokens)
    tokens.add_argument("action", choices=["add", "revoke", "list"])
    tokens.add_argument("partner", nargs="?", default="", help="partner code (revoke: token name or partner)")
    tokens.add_argument("--name", help="a name for the token (default: the partner code)")

    serve = sub.add_parser("serve", help="serve the portal (on 127.0.0.1 unless --host)")
    serve.set_defaults(portal_func=cmd_serve)
    serve.add_argument("--port", type=int, default=portal_port(), help="port (default $MARMOT_PORTAL_PORT or 8090)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; a container behind an HTTPS proxy: 0.0.0.0)")
