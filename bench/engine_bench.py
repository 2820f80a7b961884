"""How long decide() takes, in microseconds per call, over a varied set of answers.

Run from the repository root: `python bench/engine_bench.py`. Prints numbers; asserts nothing.
"""

import itertools
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from decisions.engine import (  # noqa: E402
    CHANGE_FREQUENCY_CHOICES,
    LATENCY_CHOICES,
    OUTPUT_FORMAT_CHOICES,
    PHASE_CHOICES,
    REASONING_CHOICES,
    Answers,
    decide,
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
        )
        for requests, examples, domain, frequency, phase, fresh, latency, output, reasoning in (
            itertools.product(
                (20_000, 2_000_000),
                (40, 800),
                (False, True),
                [value for value, _ in CHANGE_FREQUENCY_CHOICES],
                [value for value, _ in PHASE_CHOICES],
                (False, True),
                [value for value, _ in LATENCY_CHOICES],
                [value for value, _ in OUTPUT_FORMAT_CHOICES],
                [value for value, _ in REASONING_CHOICES],
            )
        )
    ]


def microseconds(answers: Answers, number: int) -> float:
    """Best of three runs of `number` calls, per call."""
    return min(timeit.repeat(lambda: decide(answers), number=number, repeat=3)) / number * 1e6


def main() -> None:
    cases = varied_answers()
    runs = timeit.repeat(lambda: [decide(a) for a in cases], number=1, repeat=5)
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
