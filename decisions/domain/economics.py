"""Economics: what one request costs each way and what fine-tuning costs besides, as the engine
reads them (DESIGN.md section 3), with the pay-back test, once.

Plain Python with no Django import; made by decisions.domain.costs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields

from decisions.domain.fields import MAX_MONTHLY_REQUESTS

PAYBACK_MONTHS = 12  # the horizon a fine-tune must pay back in, unless its model retires sooner

BASELINE_LARGE = "prompted"  # A: prompting the model the person would prompt
BASELINE_SMALL = "small_prompted"  # B: prompting the fine-tunable model with the same prompt


@dataclass(frozen=True, kw_only=True)
class Economics:
    """What one request costs each way and what fine-tuning costs besides, in US dollars.

    Plain floats, none of them depending on volume (DESIGN section 3). The pay-back test is here,
    once, so the rule that decides and the cost panel that shows the figures can never disagree.
    """

    prompted_per_request: float  # A
    small_prompted_per_request: float  # B
    tuned_per_request: float  # C
    monthly_fixed: float  # hosting plus retraining, a month
    one_off: float  # training plus engineering, once
    horizon_months: float  # months the fine-tune can earn
    prompted_model: str
    tuned_model: str

    def __post_init__(self) -> None:
        for name in _ECONOMICS_NUMBERS:
            value = getattr(self, name)
            # A float, as costs.estimate makes them, is kept as it is: the quickest test first.
            if type(value) is not float:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise ValueError(f"Economics.{name} must be a number, not {value!r}")
                value = float(value)
                object.__setattr__(self, name, value)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Economics.{name} must be finite and not negative")
        if self.horizon_months <= 0:
            raise ValueError("Economics.horizon_months must be more than 0")

    def baseline(self, small_model: str) -> str:
        """A when the small model, prompted, falls short (training is what makes it good enough),
        else B: a saving that comes from a smaller model is not a saving from training."""
        return BASELINE_LARGE if small_model == "falls_short" else BASELINE_SMALL

    def per_request(self, baseline: str) -> float:
        if baseline == BASELINE_LARGE:
            return self.prompted_per_request
        return self.small_prompted_per_request

    def saving(self, volume: int, baseline: str) -> float:
        """S(V): what fine-tuning saves a month at `volume`, fixed costs included."""
        return volume * (self.per_request(baseline) - self.tuned_per_request) - self.monthly_fixed

    def pays_back(self, volume: int, baseline: str) -> bool:
        """Whether fine-tuning earns back its one-off cost within the horizon at `volume`."""
        saving = self.saving(volume, baseline)
        return saving > 0 and self.one_off <= self.horizon_months * saving

    def payback_months(self, volume: int, baseline: str) -> float | None:
        """Months until the one-off cost is earned back at `volume`; None when nothing is saved."""
        saving = self.saving(volume, baseline)
        return self.one_off / saving if saving > 0 else None

    def break_even_volume(self, baseline: str) -> int | None:
        """The least whole volume from 1 to 10^12 at which fine-tuning pays back, or None.

        pays_back is monotone in the volume (each float step is), so the least volume is the one
        where it holds and not one below: the algebra's estimate when pays_back confirms it (two
        calls), else a binary search finds the same volume a scan from 1 would, evaluated exactly
        as pays_back evaluates it."""
        margin = self.per_request(baseline) - self.tuned_per_request
        if margin <= 0:
            return None
        low, high = 1, MAX_MONTHLY_REQUESTS
        if not self.pays_back(high, baseline):
            return None
        estimate = (self.monthly_fixed + self.one_off / self.horizon_months) / margin
        if math.isfinite(estimate):
            guess = min(max(math.ceil(estimate), low), high)
            if self.pays_back(guess, baseline) and (
                guess == low or not self.pays_back(guess - 1, baseline)
            ):
                return guess
        while low < high:
            middle = (low + high) // 2
            if self.pays_back(middle, baseline):
                high = middle
            else:
                low = middle + 1
        return low

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_mapping(cls, data: object) -> Economics | None:
        """Economics from its as_dict(), or None for None; raises ValueError when unreadable."""
        if data is None:
            return None
        if not isinstance(data, Mapping):
            raise ValueError("Economics must be an object")
        try:
            return cls(**{f.name: data[f.name] for f in fields(cls)})
        except (KeyError, TypeError) as error:
            raise ValueError(f"Unreadable economics: {error!r}") from error


_ECONOMICS_NUMBERS = (
    "prompted_per_request",
    "small_prompted_per_request",
    "tuned_per_request",
    "monthly_fixed",
    "one_off",
    "horizon_months",
)

