"""Microphone in use on Linux: a recording stream (a "source output") on PulseAudio or PipeWire.

Every app that records, natively or through PipeWire's PulseAudio server, shows up in
`pactl list source-outputs` with its application.name and process binary. Not every stream is a
call: streams recording a sink's monitor (screen recorders, visualisers) are not the microphone,
streams opened by the server's own modules (echo cancelling, loopback) have no client, and a
corked (paused) stream records nothing; none of those count. Two short pactl runs per poll cost a
few milliseconds; the PulseAudio C API through ctypes would save little and need more care.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from glutecoach.meetings.apps import AppNames
from glutecoach.meetings.base import FailureLog, MeetingSignal, ReadFailed, SignalUnavailable

log = logging.getLogger(__name__)

PACTL_TIMEOUT = 2.0  # seconds; the server answers in milliseconds or is stuck

Runner = Callable[[list[str]], str]  # runs pactl with these arguments, returns its stdout


@dataclass
class SourceOutput:
    """One recording stream, as `pactl list source-outputs` prints it."""

    index: int
    source: int | None = None  # the index of the source it records from
    client: int | None = None  # None: opened by a server module, not an app
    corked: bool = False
    properties: dict[str, str] = field(default_factory=dict)

    @property
    def app(self) -> str:
        props = self.properties
        return (props.get("application.name") or props.get("application.process.binary")
                or f"stream {self.index}")  # fmt: skip


def _number(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def parse_source_outputs(text: str) -> list[SourceOutput]:
    """Parse `LC_ALL=C pactl list source-outputs` (the text form, which every pactl prints;
    `--format=json` came only with PulseAudio 16)."""
    outputs: list[SourceOutput] = []
    current: SourceOutput | None = None
    in_properties = False
    for line in text.splitlines():
        if line.startswith("Source Output #"):
            current = SourceOutput(int(line.removeprefix("Source Output #").strip()))
            outputs.append(current)
            in_properties = False
            continue
        if current is None or not line.strip():
            continue
        stripped = line.strip()
        if line.startswith("\t\t") and in_properties:
            key, sep, value = stripped.partition(" = ")
            if sep:
                current.properties[key] = value.strip().removeprefix('"').removesuffix('"')
            continue
        in_properties = stripped == "Properties:"
        key, _, value = stripped.partition(":")
        if key == "Source":
            current.source = _number(value)
        elif key == "Client":
            current.client = _number(value)
        elif key == "Corked":
            current.corked = value.strip() == "yes"
    return outputs


def parse_short_sources(text: str) -> dict[int, str]:
    """{index: name} from `pactl list short sources` (tab-separated, index first)."""
    sources: dict[int, str] = {}
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) >= 2 and parts[0].strip().isdigit():
            sources[int(parts[0])] = parts[1]
    return sources


def is_monitor(source_name: str) -> bool:
    # PulseAudio and PipeWire both name a sink's monitor "<sink>.monitor".
    return source_name.endswith(".monitor")


def pactl_runner(pactl: str, env: Mapping[str, str] | None = None) -> Runner:
    # LC_ALL=C: the headers ("Source Output #", "Corked") are translated in other locales.
    run_env = {**(os.environ if env is None else env), "LC_ALL": "C"}

    def run(args: list[str]) -> str:
        done = subprocess.run([pactl, *args], env=run_env, capture_output=True, text=True,
                              timeout=PACTL_TIMEOUT, check=False)  # fmt: skip
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines()
            reason = lines[0] if lines else f"exit code {done.returncode}"
            raise ReadFailed(f"pactl {' '.join(args)} failed: {reason}")
        return done.stdout

    return run


class PulseMicrophone:
    name = "microphone"

    def __init__(
        self, ignore: AppNames, run: Runner | None = None, env: Mapping[str, str] | None = None
    ) -> None:
        if run is None:
            pactl = shutil.which("pactl", path=(env or os.environ).get("PATH"))
            if pactl is None:
                raise SignalUnavailable(
                    "pactl is missing, so recording streams cannot be seen"
                    " (install pulseaudio-utils, which also works with PipeWire)"
                )
            run = pactl_runner(pactl, env)
        self._run = run
        self._ignore = ignore
        self._failures = FailureLog(self.name, log)
        try:
            self._run(["info"])
        except (ReadFailed, OSError, subprocess.SubprocessError) as e:
            raise SignalUnavailable(f"no PulseAudio or PipeWire server answers ({e})") from e

    def recording(self) -> list[tuple[str, str]]:
        """(app, source name) for each stream that records a microphone now."""
        sources = parse_short_sources(self._run(["list", "short", "sources"]))
        found: list[tuple[str, str]] = []
        for out in parse_source_outputs(self._run(["list", "source-outputs"])):
            source = sources.get(out.source) if out.source is not None else None
            if source is None or is_monitor(source) or out.client is None or out.corked:
                continue
            props = out.properties
            if self._ignore.match(props.get("application.name"),
                                  props.get("application.process.binary")) is None:  # fmt: skip
                found.append((out.app, source))
        return found

    def read(self, now: datetime) -> MeetingSignal:
        try:
            streams = self.recording()
        except (ReadFailed, OSError, subprocess.SubprocessError) as e:
            return self._failures.failed(e)
        if not streams:
            return self._failures.ok(MeetingSignal(False, self.name))
        app, source = streams[0]
        return self._failures.ok(MeetingSignal(True, self.name, f"{app} records from {source}"))

    def close(self) -> None:
        pass
