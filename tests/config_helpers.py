"""Config text the tests share."""

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Work hours round the clock, every day, so a test's prompts never wait for a work window.
ALL_WEEK_HOURS = "[schedule.hours]\n" + "".join(f'{day} = ["00:00-24:00"]\n' for day in DAYS)
