"""How long a run trains: epochs, steps, validation rounds, and what a budget allows.

A small file trains for whole epochs, each followed by a validation pass. A large one would spend
hours on four epochs on a laptop CPU, so training is planned in *rounds*: a round is one epoch, or
:data:`MAX_ROUND_STEPS` optimiser steps when an epoch is longer, and validation (on a capped,
stratified sample of the validation rows) follows each round. A budget, in minutes or in examples
seen, caps the steps: the pace of the first steps turns the minutes left, once the finish (the
final pass and heads) is set aside, into steps and validation rounds, the learning-rate schedule
is stretched to end where the budget ends, and the best round within it is kept.

Everything here is pure arithmetic, so the plan can be printed before a single step runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nbtrain.progress import duration

MIN_EPOCHS, MAX_EPOCHS, MIN_STEPS = 4, 20, 150
#: Longest round between two validation passes, in optimiser steps (a few minutes on 2 CPU cores).
MAX_ROUND_STEPS = 500
#: With a time budget, rounds are shortened so that at least this many fit in it.
MIN_ROUNDS_IN_BUDGET = 6

_BUDGET = re.compile(
    r"^\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<scale>k)?\s*(?P<unit>s|sec|seconds?|m|min|minutes?|h|hours?|ex|examples?)?\s*$",
    re.IGNORECASE,
)
_SECONDS = {"s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60, "h": 3600, "hour": 3600, "hours": 3600}


@dataclass(frozen=True)
class Budget:
    """A limit on training: wall-clock ``seconds`` from the first step to the final model, or ``examples`` seen.

    >>> Budget.parse("15m"), Budget.parse("200k examples")
    (Budget(seconds=900.0, examples=None), Budget(seconds=None, examples=200000))
    """

    seconds: float | None = None
    examples: int | None = None

    @classmethod
    def parse(cls, text: str | float | int) -> Budget:
        """``"15m"``, ``"90s"``, ``"1.5h"``, ``"50000 examples"``, ``"50k ex"``; a bare number is minutes."""
        if isinstance(text, int | float):
            if text <= 0:
                raise ValueError(f"budget must be positive, got {text}")
            return cls(seconds=float(text) * 60)
        match = _BUDGET.match(str(text))
        if not match:
            raise ValueError(f"budget {text!r} is not understood: use minutes ('15m'), seconds ('90s'), hours ('1h') or examples ('50k examples')")
        value = float(match["value"]) * (1000 if match["scale"] else 1)
        unit = (match["unit"] or "m").lower()
        if value <= 0:
            raise ValueError(f"budget must be positive, got {text!r}")
        if unit.startswith("ex"):
            return cls(examples=int(value))
        return cls(seconds=value * _SECONDS[unit])

    def describe(self) -> str:
        """The budget in words."""
        if self.examples is not None:
            return f"{self.examples:,} examples"
        return duration(self.seconds or 0.0)


@dataclass(frozen=True)
class Plan:
    """The steps of a run: per epoch, in all, per validation round, and of warm-up."""

    steps_per_epoch: int
    total_steps: int
    steps_per_round: int
    warmup_steps: int

    @property
    def epochs(self) -> float:
        """Epochs the plan covers (a fraction when a budget ends it inside an epoch)."""
        return self.total_steps / self.steps_per_epoch

    @property
    def rounds(self) -> int:
        """Validation rounds after training starts (round 0 is before the first step)."""
        return -(-self.total_steps // self.steps_per_round)


def auto_epochs(epochs: int | None, steps_per_epoch: int) -> int:
    """``epochs`` if set, else enough epochs for MIN_STEPS steps, within [MIN_EPOCHS, MAX_EPOCHS].

    >>> auto_epochs(None, 50), auto_epochs(None, 13), auto_epochs(None, 2), auto_epochs(2, 13)
    (4, 12, 20, 2)
    """
    if epochs is not None:
        return epochs
    return min(MAX_EPOCHS, max(MIN_EPOCHS, -(-MIN_STEPS // max(steps_per_epoch, 1))))


def make_plan(
    steps_per_epoch: int, epochs: int | None, warmup_ratio: float, *, budget_steps: int | None = None, round_steps: int | None = None
) -> Plan:
    """The plan for ``steps_per_epoch`` steps an epoch; ``budget_steps`` caps the total.

    >>> make_plan(13, None, 0.1)
    Plan(steps_per_epoch=13, total_steps=156, steps_per_round=13, warmup_steps=15)
    >>> make_plan(5000, None, 0.1, budget_steps=7000).steps_per_round
    500
    """
    total = steps_per_epoch * auto_epochs(epochs, steps_per_epoch)
    if budget_steps is not None:
        total = max(1, min(total, budget_steps))
    per_round = round_steps or min(steps_per_epoch, MAX_ROUND_STEPS)
    return Plan(steps_per_epoch, total, max(1, min(per_round, total)), int(warmup_ratio * total))


def steps_for_examples(examples: int, examples_per_step: int) -> int:
    """How many optimiser steps an examples budget allows (a time budget: :func:`steps_in_time`).

    >>> steps_for_examples(1600, 16), steps_for_examples(10, 16)
    (100, 1)
    """
    return max(1, examples // max(examples_per_step, 1))


def steps_in_time(seconds: float, pace: float, validating: float, steps_per_epoch: int, done: int) -> int:
    """The most steps in all (``done`` of them taken) whose remaining steps and validation rounds fit
    in ``seconds``, at ``pace`` seconds a step and ``validating`` seconds a round.

    The rounds are those of the budgeted plan (:func:`budget_round_steps`): a handful, not the
    dozens an uncapped plan of a large file has, which would leave most of a budget unspent.

    >>> steps_in_time(60, 0.5, 2, 1000, 10)  # 96 more steps (48 s) and 6 rounds of 2 s
    106
    >>> steps_in_time(0.1, 0.5, 2, 1000, 10)
    11
    """

    def cost(total: int) -> float:
        every = budget_round_steps(total, steps_per_epoch)
        rounds = -(-total // every) - done // every
        return (total - done) * pace + max(rounds, 1) * validating

    low, high = done + 1, done + 1 + int(seconds / max(pace, 1e-9))
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if cost(middle) <= seconds else (low, middle - 1)
    return low


def budget_round_steps(total_steps: int, steps_per_epoch: int) -> int:
    """Round length under a budget: at most an epoch, and short enough for several rounds.

    >>> budget_round_steps(1200, 5000), budget_round_steps(60, 13)
    (200, 10)
    """
    return max(1, min(steps_per_epoch, MAX_ROUND_STEPS, -(-total_steps // MIN_ROUNDS_IN_BUDGET)))


def warmup_then_linear(step: int, warmup: int, total: int) -> float:
    """The learning-rate multiplier at ``step``: linear warm-up, then linear decay to 0 at ``total``.

    >>> [round(warmup_then_linear(s, 2, 10), 3) for s in (0, 1, 2, 6, 10)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    if step < warmup:
        return step / max(1, warmup)
    return max(0.0, (total - step) / max(1, total - warmup))


def describe_plan(plan: Plan, seconds_per_step: float | None, budget: Budget | None, full: Plan | None = None, *, finish: float = 0.0) -> str:
    """One line a person reads before training: how long the plan takes and what the budget reaches.

    ``finish`` is the time the budget keeps for the work after the last step.

    >>> describe_plan(Plan(100, 300, 100, 30), 0.5, Budget(seconds=150), Plan(100, 1200, 100, 120))
    'Plan: 1,200 steps (12 epochs) would take about 10 min; the budget of 2 min 30 s reaches 300 steps (3.0 epochs), validated after every epoch.'
    >>> describe_plan(Plan(100, 300, 100, 30), 0.5, Budget(seconds=900), Plan(100, 1200, 100, 120), finish=240)
    'Plan: 1,200 steps (12 epochs) would take about 10 min; the budget of 15 min reaches 300 steps (3.0 epochs), validated after every epoch; about 4 min of it is kept for the final pass and head.'
    """
    def steps_and_epochs(p: Plan) -> str:
        epochs = f"{p.epochs:.0f}" if float(p.epochs).is_integer() else f"{p.epochs:.1f}"
        return f"{p.total_steps:,} steps ({epochs} epoch{'s' * (epochs != '1')})"

    every = "after every epoch" if plan.steps_per_round == plan.steps_per_epoch else f"every {plan.steps_per_round:,} steps"
    every = "after every step" if plan.steps_per_round == 1 else every
    if budget is not None and full is not None:
        took = f" would take about {duration(full.total_steps * seconds_per_step)}" if seconds_per_step else ""
        kept = f"; about {duration(finish)} of it is kept for the final pass and head" if finish >= 1 else ""
        return (
            f"Plan: {steps_and_epochs(full)}{took}; the budget of {budget.describe()} reaches "
            f"{plan.total_steps:,} steps ({plan.epochs:.1f} epochs), validated {every}{kept}."
        )
    took = f", about {duration(plan.total_steps * seconds_per_step)}" if seconds_per_step else ""
    return f"Plan: {steps_and_epochs(plan)}{took}, validated {every}."
