"""Answers the tests and the benchmark share, so each verdict's example is written once."""

# A strict schema, no blocker, no hybrid trigger: fine-tuning. The small model is not yet tried
# (the default), so the volume is priced against prompting it, and does not pay back alone.
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
    "small_model": "not_tried",
}
