"""`python -m glutecoach.window`: one break window, for the coach (window/process.py).

Reads the plan as one JSON line on stdin, shows the window and writes what happens as JSON lines
on stdout. Closing stdin (the coach closing the window, or the coach gone) closes the window.
"""

from __future__ import annotations

import json
import logging
import sys
import threading

from glutecoach.window.process import plan_from_json
from glutecoach.window.tk_window import BreakWindow, WindowUnavailable


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="glutecoach window: %(message)s")
    plan, snooze_offered, rateable, options = plan_from_json(sys.stdin.readline())
    out = threading.Lock()

    def say(**event: str | bool) -> None:
        with out:
            print(json.dumps(event), flush=True)

    window = BreakWindow(plan, on_answer=lambda a: say(answer=a),
                         on_feedback=lambda r: say(feedback=r), snooze_offered=snooze_offered,
                         on_sound=lambda s: say(sound=s),  # the coach plays it (sound/chimes.py)
                         rateable=rateable, options=options)
    try:
        window.show()
    except WindowUnavailable as exc:
        say(unavailable=exc.reason)
        return 0
    say(shown=True)

    def watch_stdin() -> None:
        sys.stdin.read()  # returns at EOF: the coach closed the window, or is gone
        window.close()

    threading.Thread(target=watch_stdin, name="glutecoach-window-stdin", daemon=True).start()
    window.wait_closed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
