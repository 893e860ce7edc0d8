"""What the commands that change the config share (`config set/unset`, `off add/remove`): which
file they change, saving it, telling a running coach, and values as one short text."""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from glutecoach.cli.context import App
from glutecoach.errors import GlutecoachError

if TYPE_CHECKING:
    from glutecoach.config_edit import ConfigDocument


def open_config(app: App, create: bool = True) -> ConfigDocument:
    """The config in force (--config, $GLUTECOACH_CONFIG or the default place), open for
    changes; a missing file starts as the commented template of `config init` (create=True)."""
    from glutecoach.config import resolve_config_path
    from glutecoach.config_edit import ConfigDocument

    path, _ = resolve_config_path(app.config_option)
    return ConfigDocument.open(path, template=create)


def save(app: App, doc: ConfigDocument, key: str) -> str:
    """Save, then ask a running coach to reload: "" if none runs, else a note for the line that
    says what changed (of `key`)."""
    doc.save()
    return reload_coach(app, key)


def reload_coach(app: App, key: str) -> str:
    from glutecoach.control import CoachNotRunning, send

    try:
        reply = send(app.home, {"cmd": "reload"})
    except CoachNotRunning:
        return ""  # nothing to tell: the coach reads the file when it starts
    except GlutecoachError as exc:
        return f" (saved; the running coach did not reload: {exc})"
    if not reply.get("ok"):
        return f" (saved; the running coach did not reload: {reply.get('error', 'refused')})"
    # [desktop] keys: the notifier and the tray are chosen at the start. The reply names every
    # such key changed since then; only this change's are news here.
    later = [k for k in reply.get("restart") or [] if k == key or k.startswith(f"{key}.")
             or key.startswith(f"{k}.")]
    if later:
        return f" (the running coach applies {', '.join(later)} at its next start)"
    return " (the running coach has it now)"


def value_text(value: Any) -> str:
    """A value on one line: 30, true, Europe/Berlin, 09:00-12:30 13:30-17:30, (none)."""
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        if not value:
            return "(none)"
        items = [value_text(v) for v in value]
        if any(" " in item or not item for item in items):
            return ", ".join(json.dumps(i, ensure_ascii=False) for i in items)
        return " ".join(items)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {value_text(v)}" for k, v in value.items()) + "}"
    return str(value)


def json_ready(value: Any) -> Any:
    """Dates as ISO text, the rest as it is: for --json."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [json_ready(v) for v in value]
    return value
