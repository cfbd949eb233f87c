"""`warden users set` / `passwd` / `sign-out`: an operator changes a person's role, status or password, or ends
their sessions (a stolen laptop); each ends the person's sessions and is audited (see docs/security.md)."""

from __future__ import annotations

import sys

import typer

from warden.access.accounts import set_password, update_user
from warden.access.roles import ROLES
from warden.access.sessions import revoke_user_sessions
from warden.access.users import get_user
from warden.audit.log import append_audit
from warden.cli.cases import users_app
from warden.cli.common import fail, print_json, settings_or_exit
from warden.errors import DomainError
from warden.store.db import open_store


def register(app: typer.Typer) -> None:
    @users_app.command("set")
    def users_set(
        name: str = typer.Argument(...),
        role: str | None = typer.Option(None, help=", ".join(ROLES)),
        active: bool | None = typer.Option(None, "--active/--inactive"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """A new role and/or status; the person's sessions end."""
        store = open_store(settings_or_exit())
        try:
            with store.engine.begin() as conn:
                user = update_user(conn, name, "cli", role=role, active=active)
        except DomainError as exc:
            fail(str(exc))
        print_json(user.as_dict()) if as_json else typer.echo(f"{user.username}: {user.role}, active={user.active}")

    @users_app.command("passwd")
    def users_passwd(
        name: str = typer.Argument(...),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="read the password from stdin"),
    ) -> None:
        """Set a person's password; their sessions end."""
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("new password", hide_input=True, confirmation_prompt=True)
        store = open_store(settings_or_exit())
        try:
            with store.engine.begin() as conn:
                ended = set_password(conn, name, password, actor="cli")
        except DomainError as exc:
            fail(str(exc))
        typer.echo(f"password of {name} set; {ended} session(s) ended")

    @users_app.command("sign-out")
    def users_sign_out(name: str = typer.Argument(...)) -> None:
        """End every session of a person now."""
        store = open_store(settings_or_exit())
        try:
            with store.engine.begin() as conn:
                get_user(conn, name)
                ended = revoke_user_sessions(conn, name, "operator")
                append_audit(
                    conn, actor="cli", action="session.revoked", subject=f"user:{name}", after={"ended": ended}
                )
        except DomainError as exc:
            fail(str(exc))
        typer.echo(f"{ended} session(s) of {name} ended")
