"""The six worked cases of docs/advice.md: answers, cost details, and the verdict, strength and
reason codes worked out by hand. Shared by the engine's case tests and the screenshots."""

BASE = {
    "domain_language": False, "fresh_knowledge": False, "latency": "interactive",
    "output_format": "free_text", "reasoning": "simple", "small_model": "not_tried",
}

CASES = {
    "prototype chatbot": (
        {**BASE, "monthly_requests": 5_000, "prompt_tokens": 1_500, "labeled_examples": 0,
         "change_frequency": "weekly", "phase": "exploring"},
        {},
        "prompting", "clear",
        ["few_examples", "changes_often", "exploring", "costs_more", "try_small_first"],
    ),
    "strict-JSON classifier": (
        {**BASE, "monthly_requests": 50_000_000, "prompt_tokens": 2_000,
         "labeled_examples": 20_000, "change_frequency": "rarely", "phase": "production",
         "output_format": "strict"},
        {"input_tokens": 400, "output_tokens": 50},
        "fine_tuning", "clear",
        ["pays_back", "strict_format", "try_small_first"],
    ),
    "legal research": (
        {**BASE, "monthly_requests": 20_000, "prompt_tokens": 3_000, "labeled_examples": 2_000,
         "domain_language": True, "fresh_knowledge": True, "reasoning": "complex",
         "change_frequency": "quarterly", "phase": "production", "small_model": "falls_short"},
        {"output_tokens": 800},
        "prompting", "clear",
        ["domain_language", "fresh_knowledge", "complex_reasoning", "costs_more",
         "reasoning_stays_large"],
    ),
    "product descriptions": (
        {**BASE, "monthly_requests": 2_000_000, "prompt_tokens": 1_200,
         "labeled_examples": 500, "change_frequency": "monthly", "phase": "production"},
        {"input_tokens": 200, "output_tokens": 250},
        "prompting", "clear",
        ["changes_often", "costs_more", "try_small_first"],
    ),
    "medical coder": (
        {**BASE, "monthly_requests": 300_000, "prompt_tokens": 2_500,
         "labeled_examples": 5_000, "domain_language": True, "output_format": "strict",
         "change_frequency": "quarterly", "phase": "production", "small_model": "falls_short"},
        {"output_tokens": 60},
        "fine_tuning", "clear",
        ["strict_format", "domain_language", "costs_more"],
    ),
    "all zero": (
        {**BASE, "monthly_requests": 0, "prompt_tokens": 0, "labeled_examples": 0,
         "change_frequency": "rarely", "phase": "launching"},
        {},
        "prompting", "clear",
        ["few_examples", "costs_more", "try_small_first"],
    ),
}
