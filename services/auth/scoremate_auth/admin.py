"""Account administration from a shell: `python -m scoremate_auth.admin grant-admin EMAIL`.

The role is carried by the access tokens issued from then on (next login or refresh).
"""

import argparse
import asyncio
import sys

from scoremate_auth.keys import KeyRing
from scoremate_auth.models import Role
from scoremate_auth.passwords import PasswordHashing
from scoremate_auth.schemas import normalise_email
from scoremate_auth.service import AuthService
from scoremate_auth.settings import AuthSettings
from scoremate_shared.db import Database


async def _run(command: str, email: str) -> int:
    settings = AuthSettings()
    db = Database(settings)
    try:
        auth = AuthService(settings, PasswordHashing(settings), KeyRing(db, settings))
        async with db.transaction() as session:
            if command == "grant-admin":
                found = await auth.grant_role(session, email, Role.ADMIN)
            else:
                found = await auth.revoke_role(session, email, Role.ADMIN)
    finally:
        await db.dispose()
    if not found:
        print(f"no account with e-mail {email}", file=sys.stderr)
        return 1
    print(f"{command}: {email}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoremate_auth.admin", description=__doc__)
    parser.add_argument("command", choices=["grant-admin", "revoke-admin"])
    parser.add_argument("email")
    args = parser.parse_args(argv)
    try:
        email = normalise_email(args.email)
    except ValueError as exc:
        parser.error(f"invalid e-mail: {exc}")
    return asyncio.run(_run(args.command, email))


if __name__ == "__main__":
    raise SystemExit(main())
