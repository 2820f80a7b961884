"""How long decide() takes, in microseconds per call, over a varied set of answers, priced with
one fixed set of cost figures (the default model pair's), so the cost rules and the break-even
search run as they do for a real decision.

Run from the repository root: `python bench/engine_bench.py`. Prints numbers; asserts nothing.
"""

import itertools
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decisions.domain.engine import Answers, Economics, decide  # noqa: E402
from decisions.domain.fields import BY_NAME  # noqa: E402

# Llama 3.3 70B prompted (A), Llama 3.1 8B prompted (B) and fine-tuned on a dedicated endpoint
# (C), at the default cost details: per request, a month and once, in US dollars.
ECONOMICS = Economics(
    prompted_per_request=0.002024,
    small_prompted_per_request=0.000414,
    tuned_per_request=0.0,
    monthly_fixed=2979.61,
    one_off=8002.92,
    horizon_months=12.0,
    prompted_model="Llama-3.3-70B-Instruct-Turbo",
    tuned_model="Meta-Llama-3.1-8B-Instruct-Turbo",
)


def varied_answers() -> list[Answers]:
    """Each answer either side of its threshold, in every combination: all verdicts, all flips."""
    return [
        Answers(
            monthly_requests=requests,
            labeled_examples=examples,
            domain_language=domain,
            change_frequency=frequency,
            phase=phase,
            fresh_knowledge=fresh,
            latency=latency,
            output_format=output,
            reasoning=reasoning,
            small_model=small,
        )
        for requests, examples, domain, frequency, phase, fresh, latency, output, reasoning, small
        in itertools.product(
            (20_000, 2_000_000),
            (40, 800),
            (False, True),
            BY_NAME["change_frequency"].values,
            BY_NAME["phase"].values,
            (False, True),
            BY_NAME["latency"].values,
            BY_NAME["output_format"].values,
            BY_NAME["reasoning"].values,
            BY_NAME["small_model"].values,
        )
    ]


def microseconds(answers: Answers, number: int) -> float:
    """Best of three runs of `number` calls, per call."""
    runs = timeit.repeat(lambda: decide(answers, ECONOMICS), number=number, repeat=3)
    return min(runs) / number * 1e6


def main() -> None:
    cases = varied_answers()
    runs = timeit.repeat(lambda: [decide(a, ECONOMICS) for a in cases], number=1, repeat=5)
    per_call = min(runs) / len(cases) * 1e6
    print(f"decide(): {per_call:.1f} µs per call, mean over {len(cases):,} answer sets (best of 5)")

    # One quick pass to shortlist, then a careful one: a single pass over a few calls mostly
    # measures whatever else the machine was doing.
    shortlist = sorted(cases, key=lambda a: microseconds(a, number=5), reverse=True)[:10]
    worst, slowest = max(((microseconds(a, number=200), a) for a in shortlist), key=lambda p: p[0])
    print(f"slowest answer set: {worst:.1f} µs per call")
    print(f"  {slowest}")


if __name__ == "__main__":
    main()
