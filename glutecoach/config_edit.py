"""Changing the user's config file without losing anything of it.

`config set`, `off add` and the settings window write through a `ConfigDocument`: the file as
tomlkit reads it, so a change touches only the keys that changed and keeps every comment, blank
line and key order. A key the file does not have goes into its section where a reader looks for
it (`_place`: below a commented-out `# key = ...` line, as the template of `config init` has for
`timezone` and `calendar`; else in the models' order of keys; else after the section's last key).
Nothing is written that `config check` would refuse, and nothing over a file that someone else
changed since it was read.

Never imported by the running coach: tomlkit costs memory it does not need.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import tempfile
import types
from datetime import date
from pathlib import Path
from typing import Any, Union, get_args, get_origin

import tomlkit
from pydantic import BaseModel, ValidationError
from tomlkit.container import Container, OutOfOrderTableProxy
from tomlkit.items import AoT, Array, Comment, InlineTable, Item, Table, Whitespace

from glutecoach.config import (
    Config,
    _field_at,
    _model_list,
    find_line,
    parse_config,
    parse_toml,
    problems_by_key,
    unknown_key_message,
)
from glutecoach.errors import GlutecoachError, InputError


class ConfigChanged(InputError):
    """The file changed on disk since it was opened: saving would undo someone else's change."""


class ConfigDocument:
    """The user's config file, open for changes. A missing file is an empty document (or, with
    `template=True`, the commented template that `config init` writes)."""

    def __init__(self, path: Path, doc: tomlkit.TOMLDocument, disk: bytes | None,
                 disk_text: str, bom: bool = False, crlf: bool = False) -> None:
        self.path = path
        self._doc = doc
        self._disk = disk  # the file's bytes when it was read; None: there was no file
        self._disk_text = disk_text  # what the file held then ("" for none), for line numbers
        self._start = doc.as_string()  # the text when opened: the file's, or the template
        self._bom, self._crlf = bom, crlf
        self._checked: tuple[str, dict[str, str]] | None = None  # (text, its problems)
        self._valid: tuple[str, Config | None] | None = None  # (text, its Config if valid)

    @classmethod
    def open(cls, path: Path, *, template: bool = False) -> ConfigDocument:
        try:
            disk: bytes | None = path.read_bytes()
        except FileNotFoundError:
            disk = None
        except OSError as exc:  # a folder, or a file this user may not read
            raise InputError(f"{path}: cannot read the config file ({exc.strerror})") from None
        if disk is None:
            text = template_text() if template else ""
            return cls(path, _parse(text, path), None, "")
        try:
            text = disk.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"{path}: cannot read the config file ({exc})") from None
        bom = text.startswith("\ufeff")  # written back as it was found
        text = text.removeprefix("\ufeff")
        return cls(path, _parse(text, path), disk, text, bom=bom, crlf="\r\n" in text)

    # --- reading ------------------------------------------------------------------------------

    def text(self) -> str:
        """The TOML text the document holds now (what save() writes, but for \\r\\n and BOM)."""
        return self._doc.as_string()

    def changed(self) -> bool:
        """Whether anything was changed since the file was read."""
        return self.text() != self._start

    def get(self, key: str) -> Any:
        """The value in force for a dotted key, as plain Python values: the file's (as the
        models read it: `[coach.locations.home]` over the shipped profile), else the default.
        When the document is not valid, the file's value as it is, else the default."""
        loc = check_key(key)
        cfg = self._config_or_none()
        if cfg is not None:
            # The file's own spelling where it means the same: 30, not the model's 30.0.
            return _as_written(_walk(cfg.model_dump(), loc), _plain(_lookup(self._doc, loc)))
        if self.is_set(key):
            return _plain(_lookup(self._doc, loc))
        return _walk(Config().model_dump(), loc)

    def is_set(self, key: str) -> bool:
        """Whether the file itself sets the key (or, for a table, has it)."""
        return _lookup(self._doc, check_key(key)) is not None

    def problems(self) -> dict[str, str]:
        """What `config check` would say of the document: dotted key -> one line ({} if valid)."""
        text = self.text()
        if self._checked is None or self._checked[0] != text:
            self._checked = (text, problems_by_key(parse_toml(text, self.path)))
        return dict(self._checked[1])

    def config(self) -> Config:
        """The validated config, or InputError with `config check`'s lines."""
        return parse_config(self.text(), self.path)

    def _config_or_none(self) -> Config | None:
        text = self.text()
        if self._valid is None or self._valid[0] != text:
            try:
                cfg: Config | None = Config.model_validate(parse_toml(text, self.path))
            except ValidationError:
                cfg = None
            self._valid = (text, cfg)
        return self._valid[1]

    # --- changing -----------------------------------------------------------------------------

    def set(self, key: str, value: Any) -> None:
        """Set a dotted key to a plain Python value; None removes it (the default applies).
        Only what differs from the file is rewritten: a table (dict) key by key, a list of
        tables entry by entry, so the comments inside what stays are kept."""
        loc = check_key(key)
        value = toml_value(value)
        if value is None:
            self.unset(key)
            return
        fresh: list[Table] = []
        parent = self._table(loc[:-1], fresh)
        _put(parent, loc, value, fresh)
        for table in fresh:
            _space_table(self._doc, table)

    def unset(self, key: str) -> None:
        """Remove a dotted key from the file, so that its default applies."""
        loc = check_key(key)
        parent = _lookup(self._doc, loc[:-1]) if len(loc) > 1 else self._doc
        if _is_table(parent) and loc[-1] in parent:
            del parent[loc[-1]]

    def _table(self, loc: list[str], fresh: list[Table]) -> Any:
        """The table at a dotted path, made (in a sensible place) where the file has none."""
        container: Any = self._doc
        for depth, part in enumerate(loc, start=1):
            if part in container:
                found = container[part]
                if not _is_table(found):
                    where = ".".join(loc[:depth])
                    raise InputError(f"{self.path}: {where} is a value here, not a table; "
                                     "correct the file first (glutecoach config check)")
                container = found
                continue
            if depth < len(loc):  # only a way to the table below: no header of its own
                container[part] = tomlkit.table(is_super_table=True)
            else:
                _put(container, loc[:depth], _seed(loc[:depth]), fresh)
            container = container[part]
        return container

    # --- writing ------------------------------------------------------------------------------

    def save(self) -> None:
        """Write the document: validated first (InputError with `config check`'s lines, the
        file untouched), refused if the file changed on disk since it was read (ConfigChanged),
        else atomically (a temporary file beside it, fsync, rename) and readable by this user
        only (0600)."""
        problems = self.problems()
        if problems:
            raise InputError(*self._problem_lines(problems),
                             f"{self.path}: not saved; the file is as it was")
        self._check_unchanged_on_disk()
        text = self.text()
        if self._crlf:
            text = re.sub(r"(?<!\r)\n", "\r\n", text)
        data = (("\ufeff" if self._bom else "") + text).encode("utf-8")
        _write_atomically(self.path, data)
        self._disk, self._disk_text, self._start = data, self.text(), self.text()

    def _check_unchanged_on_disk(self) -> None:
        try:
            now: bytes | None = self.path.read_bytes()
        except FileNotFoundError:
            now = None
        except OSError as exc:
            raise GlutecoachError(f"{self.path}: cannot read the config file ({exc.strerror})") \
                from None
        if now != self._disk:
            what = "was created" if self._disk is None else (
                "was removed" if now is None else "changed")
            raise ConfigChanged(
                f"{self.path} {what} on disk since it was opened (by an editor or another "
                "window?); nothing was written: open it again and make the change there")

    def _problem_lines(self, problems: dict[str, str]) -> list[str]:
        """`config check`'s lines: with the line of the file where a key the file already had
        (unchanged) is set; without one for a key changed here, which is not in the file yet."""
        try:
            before = parse_toml(self._disk_text, self.path) if self._disk_text else {}
        except InputError:
            before = {}
        after = parse_toml(self.text(), self.path)
        lines: list[tuple[int, str]] = []
        for key, message in problems.items():
            loc = key.split(".")
            line = None
            if self._disk_text and _walk_raw(before, loc) == _walk_raw(after, loc) is not None:
                line = find_line(self._disk_text, loc)
            where = f"{self.path}:{line}" if line else str(self.path)
            lines.append((line or 0, f"{where}: {message}"))
        return [text for _, text in sorted(lines, key=lambda pair: pair[0])]

    def __deepcopy__(self, memo: dict[int, Any]) -> ConfigDocument:
        # The settings window tries its changes on a copy; the caches need not be copied.
        twin = ConfigDocument(self.path, copy.deepcopy(self._doc, memo), self._disk,
                              self._disk_text, self._bom, self._crlf)
        twin._start = self._start
        return twin


# --- keys and values from the command line ---------------------------------------------------


def check_key(key: str) -> list[str]:
    """A dotted key as its parts, if the models know it; InputError with "did you mean" if not."""
    loc = key.strip().split(".")
    if not key.strip() or any(not part for part in loc):
        raise InputError(f'"{key}" is not a key; keys are dotted, like "schedule.sit_minutes"')
    annotation: Any = Config
    for depth, part in enumerate(loc, start=1):
        if get_origin(annotation) is dict:  # a table of named tables: this part is a name
            annotation = get_args(annotation)[1]
            continue
        fields = _model_fields(annotation)
        if fields is None:
            above = ".".join(loc[: depth - 1])
            if _model_list(_unwrap(annotation)):
                raise InputError(_list_of_tables(above))
            raise InputError(f"{above} is a single value, not a table; did you mean {above}?")
        if part not in fields:
            raise InputError(unknown_key_message(loc[:depth]))
        annotation = fields[part].annotation
    return loc


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def parse_value(key: str, words: list[str]) -> Any:
    """Words typed on the command line as the value of a key: a number, true/false (also
    yes/no, on/off), a date, a text, or a list (one word each; none: the empty list). A word
    that is not of the key's kind is passed on as text, so that the models say what is wrong
    in the words of `config check`."""
    loc = check_key(key)
    annotation, _ = _field_at(loc)
    annotation = _unwrap(annotation)
    if get_origin(annotation) is list:
        inner = _unwrap(get_args(annotation)[0]) if get_args(annotation) else str
        if _model_fields(inner) is not None:
            raise InputError(_list_of_tables(key))
        return [_word(inner, w) for w in words]
    if get_origin(annotation) is dict or _model_fields(annotation) is not None:
        example = _example_key(loc, annotation)
        raise InputError(f"{key} is a table: set its keys one at a time, e.g. "
                         f"glutecoach config set {example}")
    if not words:
        raise InputError(f"{key} needs a value (back to the default: glutecoach config unset "
                         f"{key})")
    if len(words) > 1:
        raise InputError(f"{key} takes one value, not {len(words)} "
                         f"({' '.join(words)}); put quotes round a text with spaces")
    return _word(annotation, words[0])


def day_off_entry(first: date, last: date | None = None, note: str = "") -> dict[str, Any]:
    """A `[[schedule.days_off]]` entry as the file holds it: `last` and `note` only when they
    say something (`off add` and the settings window write the same)."""
    entry: dict[str, Any] = {"first": first}
    if last is not None and last != first:
        entry["last"] = last
    if note:
        entry["note"] = note
    return entry


def _list_of_tables(key: str) -> str:
    if key == "schedule.days_off":
        return f"{key} is a list of tables: change it with glutecoach off add / off remove"
    return f"{key} is a list of tables: edit it in the file or the settings window"


def is_list_key(key: str) -> bool:
    annotation, _ = _field_at(check_key(key))
    return get_origin(_unwrap(annotation)) is list


def _word(annotation: Any, word: str) -> Any:
    if annotation is bool:
        low = word.strip().lower()
        return True if low in _TRUE else False if low in _FALSE else word
    if annotation is int:
        return int(word) if re.fullmatch(r"\s*[+-]?\d+\s*", word) else word
    if annotation is float:
        if re.fullmatch(r"\s*[+-]?\d+\s*", word):
            return int(word)  # written as 45, not 45.0
        try:
            return float(word)
        except ValueError:
            return word
    if annotation is date:
        try:
            return date.fromisoformat(word.strip())
        except ValueError:
            return word
    return word  # texts and choices (Literal): the models check them


def _unwrap(annotation: Any) -> Any:
    """`str | None` -> str: None only means "leave the key out"."""
    if get_origin(annotation) in (Union, types.UnionType):
        rest = [a for a in get_args(annotation) if a is not type(None)]
        return rest[0] if len(rest) == 1 else annotation
    return annotation


def _model_fields(annotation: Any) -> dict[str, Any] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return dict(annotation.model_fields)
    return None


def _example_key(loc: list[str], annotation: Any) -> str:
    if get_origin(annotation) is dict:
        inner = _model_fields(get_args(annotation)[1]) or {}
        return ".".join([*loc, "NAME", next(iter(inner), "KEY")]) + " VALUE"
    fields = _model_fields(annotation) or {}
    return ".".join([*loc, next(iter(fields), "KEY")]) + " VALUE"


# --- inside the tomlkit document ------------------------------------------------------------


def template_text() -> str:
    """The commented config of `config init`: every key at its default."""
    from glutecoach.paths import package_file

    return package_file("config.example.toml").read_text(encoding="utf-8")


def _parse(text: str, path: Path) -> tomlkit.TOMLDocument:
    parse_toml(text, path)  # the same "file:line: not valid TOML" as `config check`
    try:
        return tomlkit.parse(text)
    except tomlkit.exceptions.ParseError as exc:  # TOML that tomllib reads but tomlkit not
        raise InputError(f"{path}:{exc.line}: cannot edit this file ({exc}); edit it by hand") \
            from None


def _is_table(item: Any) -> bool:
    return isinstance(item, Container | Table | InlineTable | OutOfOrderTableProxy)


def _lookup(doc: Any, loc: list[str]) -> Any:
    """The file's item at a dotted path, None if the file does not set it."""
    item = doc
    for part in loc:
        if not _is_table(item) or part not in item:
            return None
        item = item[part]
    return item


def _plain(item: Any) -> Any:
    """tomlkit's items as plain Python values (tomlkit's date and str subclasses too)."""
    value = item.unwrap() if hasattr(item, "unwrap") else item
    return toml_value(value)


def toml_value(value: Any) -> Any:
    """Plain values for TOML: tuples as lists, dict entries that are None left out (TOML has
    no null: None means "not set")."""
    if isinstance(value, dict):
        return {str(k): toml_value(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [toml_value(v) for v in value]
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, date):
        return date(value.year, value.month, value.day)
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal as TOML values: 45 and 45.0 are, 1 and true are not."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _walk(data: Any, loc: list[str]) -> Any:
    """The value at a dotted path of model_dump() data; a name that is not there (a location
    of your own not yet made) has its model's defaults."""
    for depth, part in enumerate(loc, start=1):
        if isinstance(data, dict) and part in data:
            data = data[part]
            continue
        annotation, info = _field_at(loc[:depth])
        if info is not None and not info.is_required():
            data = _dump(info.get_default(call_default_factory=True))
        elif _model_fields(annotation) is not None:
            data = annotation().model_dump()
        else:
            return None
    return data


def _as_written(value: Any, written: Any) -> Any:
    if isinstance(value, dict) and isinstance(written, dict):
        return {k: _as_written(v, written.get(k)) for k, v in value.items()}
    return written if written is not None and _same(written, value) else value


def _walk_raw(data: Any, loc: list[str]) -> Any:
    for part in loc:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _dump(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value


def _seed(loc: list[str]) -> dict[str, Any]:
    """What a table the file does not have starts with: usually nothing, but a table whose
    default is not that of its keys holds its default, so that setting one key of it keeps
    the rest in force (`schedule.hours.mon` on a file with no [schedule.hours] keeps Tuesday
    to Friday at 09:00-17:30, which an [schedule.hours] with only `mon` would drop)."""
    annotation, info = _field_at(loc)
    if info is None or _model_fields(annotation) is None or info.is_required():
        return {}
    default = info.get_default(call_default_factory=True)
    empty = annotation.model_validate({})
    return toml_value(default.model_dump()) if default != empty else {}


def _put(container: Any, loc: list[str], value: Any, fresh: list[Table]) -> None:
    """Set one key of a table to a plain value, rewriting only what differs; the tables made
    are added to `fresh`."""
    name = loc[-1]
    if name not in container:
        _insert(container, loc, value, fresh)
        return
    old = container[name]
    if _same(_plain(old), value):
        return
    if isinstance(value, dict) and _is_table(old):
        for key, sub in value.items():
            _put(old, [*loc, key], sub, fresh)
        for key in [k for k in old if k not in value]:
            del old[key]
        return
    if isinstance(old, AoT) and isinstance(value, list) and value and \
            all(isinstance(v, dict) for v in value):
        _update_tables(old, loc, value, fresh)
        return
    if isinstance(old, AoT) and value == []:
        del container[name]  # an empty list of tables is no tables: the default
        return
    if isinstance(old, Array) and isinstance(value, list) and value and \
            all(isinstance(v, dict) for v in value):
        _update_array(old, loc, value, fresh)  # `days_off = [{ first = ... }]`, as written
        return
    container[name] = _new_item(value, fresh, inline=isinstance(container, InlineTable))


def _new_item(value: Any, fresh: list[Table], inline: bool = False) -> Item:
    if isinstance(value, dict):
        if inline:
            table: Any = tomlkit.inline_table()
        else:
            table = tomlkit.table()
            fresh.append(table)
        for key, sub in value.items():
            table[key] = _new_item(sub, fresh, inline=inline)
        return table
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) \
            and not inline:
        aot = tomlkit.aot()
        for entry in value:
            aot.append(_new_item(entry, fresh))
        return aot
    return tomlkit.item(value)


def _update_tables(aot: AoT, loc: list[str], value: list[dict[str, Any]],
                   fresh: list[Table]) -> None:
    """A list of tables ([[schedule.days_off]]) changed entry by entry: entries that stay keep
    their text and comments, the others are removed, the new ones added where they belong."""
    model = _model_list(_unwrap(_field_at(loc)[0]))
    used: list[int] = []
    for entry in value:
        match = next((i for i, table in enumerate(aot.body)
                      if i not in used and _same_entry(model, _plain(table), entry)), None)
        used.append(-1 if match is None else match)
    kept = [i for i in used if i >= 0]
    if kept != sorted(kept):  # reordered: written anew
        for _ in range(len(aot.body)):
            aot.pop(len(aot.body) - 1)
        for entry in value:
            aot.append(_new_item(entry, fresh))
        return
    for i in sorted(set(range(len(aot.body))) - set(kept), reverse=True):
        aot.pop(i)
    for position, (entry, match) in enumerate(zip(value, used, strict=True)):
        if match < 0:
            aot.insert(position, _new_item(entry, fresh))


def _update_array(array: Array, loc: list[str], value: list[dict[str, Any]],
                  fresh: list[Table]) -> None:
    """A list of inline tables changed entry by entry, like `_update_tables`: the entries that
    stay keep their text and the comments beside them. A list that was on one line is written
    one entry a line."""
    model = _model_list(_unwrap(_field_at(loc)[0]))
    items = list(array)
    used: list[int] = []
    for entry in value:
        match = next((i for i, item in enumerate(items)
                      if i not in used and _same_entry(model, _plain(item), entry)), None)
        used.append(-1 if match is None else match)
    kept = [i for i in used if i >= 0]
    one_line = "\n" not in array.as_string()
    if kept != sorted(kept):  # reordered: written anew
        kept = []
        used = [-1] * len(value)
    for i in sorted(set(range(len(items))) - set(kept), reverse=True):
        del array[i]
    for position, (entry, match) in enumerate(zip(value, used, strict=True)):
        if match < 0:
            array.insert(position, _new_item(entry, fresh, inline=True))
    if one_line:
        array.multiline(True)


def _same_entry(model: type[BaseModel] | None, a: Any, b: Any) -> bool:
    """The same entry: equal as the models read them (a `note = ""` written or left out)."""
    if _same(a, b):
        return True
    if model is None:
        return False
    try:
        return model.model_validate(a) == model.model_validate(b)
    except (ValidationError, ValueError):
        return False


def _insert(container: Any, loc: list[str], value: Any, fresh: list[Table]) -> None:
    """Add a key the table does not have, where a reader would look for it (see `_place`); a
    table goes after the table's own tables."""
    name = loc[-1]
    item = _new_item(value, fresh, inline=isinstance(container, InlineTable))
    body = _body(container)
    if isinstance(item, Table | AoT) or body is None:
        container[name] = item
        return
    at = _place(body, name, _field_order(loc[:-1]))
    if at is None or at >= len(body):
        container[name] = item
    elif isinstance(container, Table):
        container.value._insert_at(at, name, item)
        # What Table.append does besides: the table is a dict of its values too.
        dict.__setitem__(container, name, container.value[name])
    else:
        container._insert_at(at, name, item)


def _body(container: Any) -> list[tuple[Any, Any]] | None:
    """The items of a table as the file has them (None where tomlkit keeps no such list: an
    inline table, a table split over the file)."""
    if isinstance(container, Table) and not isinstance(container, InlineTable):
        return container.value.body
    if isinstance(container, Container):
        return container.body
    return None


def _field_order(loc: list[str]) -> list[str]:
    """The keys of the table at a dotted path, in the models' order (that of the template)."""
    annotation, _ = _field_at(loc) if loc else (Config, None)
    if get_origin(annotation) is dict:
        annotation = get_args(annotation)[1]
    return list(_model_fields(annotation) or {})


def _place(body: list[tuple[Any, Any]], name: str, order: list[str]) -> int | None:
    """Where in a table's items a new key goes (None: at its end):
    - right below a commented-out `# name = ...` line (the template has them);
    - else above the next key of the models' order that the table has, and above that key's
      own comment lines and the blank line before them: a key removed and set again is back
      in its place, below its own comments;
    - else after the table's last key, not among the comments that introduce the next table."""
    commented = re.compile(rf"^\s*#\s*{re.escape(name)}\s*=")
    for i, (_key, item) in enumerate(body):
        if isinstance(item, Comment) and commented.match(item.as_string()):
            return i + 1
    values = {key.key: i for i, (key, item) in enumerate(body)
              if key is not None and not isinstance(item, Table | AoT | Comment | Whitespace)}
    later = order[order.index(name) + 1:] if name in order else []
    following = next((values[k] for k in later if k in values), None)
    if following is not None:
        at = following
        while at > 0 and isinstance(body[at - 1][1], Comment):
            at -= 1
        if at > 0 and isinstance(body[at - 1][1], Whitespace) and at - 1 > 0:
            at -= 1
        return at
    return max(values.values()) + 1 if values else None


class _Gap(Whitespace):
    """Blank space at the end of a new table whose text is decided once it is in place."""

    def __init__(self, text: str) -> None:
        super().__init__(text, fixed=True)
        self.text = text

    def as_string(self) -> str:
        return self.text


def _space_table(doc: tomlkit.TOMLDocument, table: Table) -> None:
    """One blank line before a new table's header and one after its last line, as between
    the tables of the template (none before the first line or after the last of the file)."""
    if table.is_super_table():
        return  # no header of its own
    start, end = "\x00gc-start\x00", "\x00gc-end\x00\n"  # ends a line, as a table does
    gap = _Gap(end)
    table.add(gap)
    table.trivia.indent = start
    text = doc.as_string()
    before, after = text[: text.find(start)], text[text.find(end) + len(end):]
    table.trivia.indent = "" if not before or before.endswith("\n\n") else (
        "\n" if before.endswith("\n") else "\n\n")
    gap.text = "\n" if after.strip() and not after.startswith("\n") else ""


# --- the write -------------------------------------------------------------------------------


def _write_atomically(path: Path, data: bytes) -> None:
    """Replace the file with `data` all at once: a reader (the coach, an editor) sees the old
    file or the new one, never part of one, even if the machine stops half way. A link to the
    file (dotfiles kept elsewhere) stays a link: the file it points at is replaced."""
    target = Path(os.path.realpath(path))
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise GlutecoachError(f"{path}: cannot save the config ({exc.strerror}); the file is "
                              "as it was") from None
    try:
        with os.fdopen(fd, "wb") as out:
            if hasattr(os, "fchmod"):
                os.fchmod(out.fileno(), 0o600)  # health data: this user only, whatever the umask
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise GlutecoachError(f"{path}: cannot save the config ({exc.strerror}); the file is "
                              "as it was") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """The rename itself on disk (POSIX); Windows has no folder handles to sync."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    try:
        fd = os.open(folder, os.O_RDONLY | flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot sync a folder; the data itself is synced
    finally:
        os.close(fd)
