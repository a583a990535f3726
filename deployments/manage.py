"""Operator commands: `python -m deployments.manage grant-role EMAIL ROLE`."""

import argparse
import asyncio
import sys

from deployments.settings import Settings
from deployments.wiring import bootstrap
from domain.errors import DomainError
from domain.identity.roles import grant_role
from ports.identity import Role


async def _grant_role(email: str, role: Role) -> str:
    container = bootstrap(Settings())
    try:
        user = await grant_role(email, role, container.unit_of_work())
    finally:
        await container.aclose()
    return f"{user.email} is now {user.role}; it applies from the next login or token refresh\n"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m deployments.manage")
    commands = parser.add_subparsers(dest="command", required=True)
    grant = commands.add_parser("grant-role", help="give an account a role")
    grant.add_argument("email")
    grant.add_argument("role", choices=[r.value for r in Role])
    args = parser.parse_args()
    try:
        sys.stdout.write(asyncio.run(_grant_role(args.email, Role(args.role))))
    except DomainError as e:
        parser.exit(1, f"error: {e.message}\n")


if __name__ == "__main__":
    main()
