"""Answers the tests and the benchmark share, so each verdict's example is written once."""

# Two signals (high volume, strict schema), no blocker, no hybrid trigger: fine-tuning.
FINE_TUNING_ANSWERS = {
    "monthly_requests": 2_000_000,
    "prompt_tokens": 1500,
    "labeled_examples": 800,
    "domain_language": False,
    "change_frequency": "rarely",
    "phase": "production",
    "fresh_knowledge": False,
    "latency": "interactive",
    "output_format": "strict",
    "reasoning": "simple",
}
