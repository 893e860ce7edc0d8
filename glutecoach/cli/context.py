"""What every command needs: where the config and the home are, and the config in force."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

import click

from glutecoach.paths import resolve_home

if TYPE_CHECKING:
    from glutecoach.config import Config
    from glutecoach.store import Store

F = TypeVar("F")


@dataclass
class App:
    config_option: Path | None = None
    home_option: Path | None = None
    verbose: bool = False
    # The command line is this process's own (not main() called with arguments, as tests and
    # embedders do): `run` may then replace the process with the coach's (coach/launch.py).
    own_process: bool = False
    _store: Store | None = field(default=None, repr=False)

    @cached_property
    def loaded(self) -> tuple[Config, Path | None]:
        # Imported here: the config models cost pydantic (~0.1 s), which `status`, `done` and
        # `--version` never need.
        from glutecoach.config import load_effective_config

        return load_effective_config(self.config_option)

    @property
    def config(self) -> Config:
        return self.loaded[0]

    @property
    def zone(self) -> ZoneInfo:
        return self.config.schedule.zone()

    @property
    def home(self) -> Path:
        return resolve_home(self.home_option)

    def store(self, write: bool = True) -> Store:
        if self._store is None:
            from glutecoach.cli.output import warn
            from glutecoach.store import Store

            # A damaged row is a warning line; the rest of the history is still shown.
            self._store = Store.open(self.home, write=write, on_problem=warn)
        return self._store


def _remember(attr: str) -> Any:
    def callback(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            setattr(ctx.ensure_object(App), attr, value)

    return callback


def location_options(f: F) -> F:
    """--config and --home, accepted before or after the command name."""
    f = click.option("--home", type=click.Path(path_type=Path, file_okay=False), expose_value=False,
                     callback=_remember("home_option"), is_eager=True,
                     help="State directory (database, logs, socket). "
                          "Default: $GLUTECOACH_HOME or the user data dir.")(f)  # type: ignore[assignment]
    f = click.option("--config", type=click.Path(path_type=Path, dir_okay=False),
                     expose_value=False, callback=_remember("config_option"), is_eager=True,
                     help="Config file. Default: $GLUTECOACH_CONFIG or the user config dir.")(f)  # type: ignore[assignment]
    return f


pass_app = click.make_pass_decorator(App, ensure=True)
