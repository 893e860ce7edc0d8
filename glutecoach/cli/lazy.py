"""A command group that imports each command's module only when that command runs.

`glutecoach status` and `glutecoach --version` should cost a Python start and click, not the
config models (pydantic), the store (SQLAlchemy) and the report; `--help` still lists every
command, importing them all then."""

from __future__ import annotations

from importlib import import_module

import click


class LazyGroup(click.Group):
    def __init__(self, *args: object, lazy: dict[str, str] | None = None,
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.lazy = dict(lazy or {})  # command name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module, attribute = self.lazy[cmd_name].split(":")
            found = getattr(import_module(module), attribute)
            # A module's list of commands (coach_cmd.COMMANDS): add them all, by their names.
            for command in found if isinstance(found, list) else [found]:
                self.add_command(command, command.name if isinstance(found, list) else cmd_name)
        return super().get_command(ctx, cmd_name)
