"""Break plans: what to do in each break, for where you are, balanced and progressing (issue 4).

- `context`: the config's `[coach]` section resolved for one moment (location, what it allows).
- `select`: the pure choice of a plan from the library, the context, the history and the levels.
- `progress`: the user's level per muscle, from feedback and steady completion.
- `records`: reading that history from the database and recording feedback.
- `planner`: `plan_for` and the hooks the coach and `simulate` call.

Everything but `records` is pure: the same inputs give the same plan, so the coach, `simulate`,
`glutecoach plan` and the tests all choose alike.
"""
