"""The price sheet Advisor ships with, as checked on 30 November 2026 (DESIGN section 3b).

Every figure comes from the public page in its row's `source_url` (or, for base and cached-input
prices, from the `genai-prices` package, version 0.2.3, kept by Pydantic); `as_of` is the date
that page states, None where it states none. What could not be sourced is left out (None), never
estimated: a model with no fine-tuning price gets no fine-tuning estimate. The data migration
seeds these rows; a lead edits them in the admin afterwards.
"""

OPENAI_PRICING = "https://developers.openai.com/api/docs/pricing"
OPENAI_DEPRECATIONS = "https://developers.openai.com/api/docs/deprecations"
OPENAI_NOTE = (
    "OpenAI's pricing page states no date; these prices are from its November 2026 copy. "
    "OpenAI closed self-serve fine-tuning to organisations that had never used it on 7 May 2026 "
    "and to inactive ones on 2 July 2026, and stops all new fine-tuning jobs on 6 January 2027; "
    "this model and its fine-tunes are removed from the API on 14 January 2027 "
    "(OpenAI deprecations page)."
)
GENAI_PRICES = "https://pypi.org/project/genai-prices/"
TOGETHER_FINE_TUNING_MODELS = "https://docs.together.ai/docs/fine-tuning-models"
FIREWORKS_PRICING = "https://fireworks.ai/pricing"
FIREWORKS_FINE_TUNING = "https://docs.fireworks.ai/faq/billing-pricing-usage/pricing/cost-structure"
VERTEX_TUNING = (
    "https://cloud.google.com/vertex-ai/generative-ai/docs/models/tune-text-models-supervised"
)
BEDROCK_PRICING = "https://aws.amazon.com/bedrock/pricing/"
MISTRAL_DEPRECATED = "https://docs.mistral.ai/resources/deprecated"

# USD per million tokens; hosting per hour; dates ISO. Keys are ModelPrice fields.
ROWS: tuple[dict[str, object], ...] = (
    # OpenAI: fine-tuning closed to new customers; prices kept for teams that already use them.
    *(
        {
            "name": name, "provider": "OpenAI",
            "input_per_m": base_in, "cached_input_per_m": cached, "output_per_m": base_out,
            "batch_discount": "0.5", "min_cache_tokens": 1024,
            "ft_input_per_m": ft_in, "ft_output_per_m": ft_out, "training_per_m": training,
            "hosting_per_hour": "0",
            "fine_tuning": "closed", "fine_tuning_since": "2026-05-07",
            "fine_tuning_source": OPENAI_DEPRECATIONS, "retires_on": "2027-01-14",
            "as_of": None, "source_url": OPENAI_PRICING, "note": OPENAI_NOTE,
        }
        for name, base_in, cached, base_out, ft_in, ft_out, training in (
            ("gpt-4.1", "2.00", "0.50", "8.00", "3.00", "12.00", "25.00"),
            ("gpt-4.1-mini", "0.40", "0.10", "1.60", "0.80", "3.20", "5.00"),
            ("gpt-4o", "2.50", "1.25", "10.00", "3.75", "15.00", "25.00"),
            ("gpt-4o-mini", "0.15", "0.075", "0.60", "0.30", "1.20", "3.00"),
        )
    ),
    {
        "name": "gpt-4.1-nano", "provider": "OpenAI",
        "input_per_m": "0.10", "cached_input_per_m": "0.025", "output_per_m": "0.40",
        "batch_discount": "0.5", "min_cache_tokens": 1024,
        "ft_input_per_m": "0.20", "ft_output_per_m": "0.80", "training_per_m": "1.50",
        "hosting_per_hour": "0",
        "fine_tuning": "retired", "fine_tuning_since": "2026-10-23",
        "fine_tuning_source": OPENAI_DEPRECATIONS, "retires_on": "2026-10-23",
        "as_of": None, "source_url": OPENAI_PRICING,
        "note": "Retired on 23 October 2026 (OpenAI deprecations page, as of 15 October 2026); "
        "the prices are the last ones listed.",
    },
    # Together AI: open-weight models, fine-tuning open to new customers.
    {
        "name": "meta-llama/Llama-3.3-70B-Instruct-Turbo", "provider": "Together AI",
        "input_per_m": "0.88", "cached_input_per_m": None, "output_per_m": "0.88",
        "batch_discount": None,
        "as_of": None, "source_url": GENAI_PRICES,
        "note": "Serverless price from genai-prices 0.2.3; Together's batch API is 'up to 50% "
        "off', not a fixed share, so no batch discount is assumed.",
    },
    {
        "name": "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo", "provider": "Together AI",
        "input_per_m": "0.18", "cached_input_per_m": None, "output_per_m": "0.18",
        "batch_discount": None,
        "fine_tuning": "open", "fine_tuning_source": TOGETHER_FINE_TUNING_MODELS,
        "as_of": None, "source_url": GENAI_PRICES,
        "note": "Serverless price from genai-prices 0.2.3. Together fine-tunes Llama 3.1 8B as "
        "its '-Reference' variant, which its fine-tuning models page says cannot be deployed as "
        "a dedicated endpoint, and we found no dated page with its training price: no "
        "fine-tuning estimate.",
    },
    # Fireworks AI: LoRA fine-tuning open to new customers; a fine-tuned model needs a dedicated
    # deployment billed by the GPU hour, so it is compared at the base per-token rate (costs.py).
    {
        "name": "accounts/fireworks/models/llama-v3p1-8b-instruct", "provider": "Fireworks AI",
        "input_per_m": "0.20", "cached_input_per_m": None, "output_per_m": "0.20",
        "batch_discount": None,
        "ft_input_per_m": "0", "ft_output_per_m": "0", "training_per_m": "0.50",
        "hosting_per_hour": "8.00",
        "fine_tuning": "open", "fine_tuning_source": FIREWORKS_FINE_TUNING,
        "as_of": "2026-10-07", "source_url": FIREWORKS_PRICING,
        "note": "Serverless price for models up to 16B ($0.20 per million tokens) and LoRA "
        "training at $0.50 per million tokens from Fireworks' pricing page (copy of 7 October "
        "2026). Fine-tuned (LoRA) models need a dedicated deployment (Fireworks' cost-structure "
        "FAQ), an H100 at $8.00 an hour.",
    },
    # Google: supervised tuning of Gemini is open on Vertex AI, but we found no tuning price on a
    # page we could cite, so these rows carry base prices only.
    {
        "name": "gemini-3.5-flash-lite", "provider": "Google",
        "input_per_m": "0.30", "cached_input_per_m": "0.03", "output_per_m": "2.50",
        "batch_discount": "0.5", "min_cache_tokens": 4096,
        "fine_tuning": "open", "fine_tuning_source": VERTEX_TUNING,
        "as_of": None, "source_url": GENAI_PRICES,
        "note": "Gemini API prices from genai-prices 0.2.3; the Gemini API's batch mode is half "
        "price (ai.google.dev/gemini-api/docs/pricing) and its context caching starts at 4,096 "
        "tokens for Gemini 3.x Flash models (ai.google.dev/gemini-api/docs/caching). Supervised "
        "tuning is open on Vertex AI, but its price is not on a page we could cite, so there is "
        "no fine-tuning estimate.",
    },
    # Amazon Bedrock: Nova customization is open and fine-tuned Nova models are billed per
    # token, but the customization prices were not on a page we could cite.
    *(
        {
            "name": name, "provider": "Amazon Bedrock",
            "input_per_m": base_in, "cached_input_per_m": cached, "output_per_m": base_out,
            "batch_discount": None,
            "fine_tuning": "open", "fine_tuning_source": BEDROCK_PRICING,
            "as_of": None, "source_url": BEDROCK_PRICING,
            "note": "Base and cached-input prices from genai-prices 0.2.3. Nova customization is "
            "open, but its training and custom-model prices are not on a page we could cite, so "
            "there is no fine-tuning estimate.",
        }
        for name, base_in, cached, base_out in (
            ("amazon.nova-pro-v1:0", "0.80", "0.20", "3.20"),
            ("amazon.nova-lite-v1:0", "0.06", "0.015", "0.24"),
            ("amazon.nova-micro-v1:0", "0.035", "0.00875", "0.14"),
        )
    ),
    # Mistral: fine-tuning is deprecated with no replacement (no date given).
    {
        "name": "mistral-small-latest", "provider": "Mistral",
        "input_per_m": "0.15", "cached_input_per_m": "0.015", "output_per_m": "0.60",
        "batch_discount": None,
        "fine_tuning": "closed", "fine_tuning_source": MISTRAL_DEPRECATED,
        "as_of": "2026-10-14", "source_url": GENAI_PRICES,
        "note": "Base prices from genai-prices 0.2.3. Mistral has deprecated fine-tuning with "
        "no replacement; its page gives no date.",
    },
    {
        "name": "mistral-large-latest", "provider": "Mistral",
        "input_per_m": "2.00", "cached_input_per_m": None, "output_per_m": "6.00",
        "batch_discount": None,
        "fine_tuning": "closed", "fine_tuning_source": MISTRAL_DEPRECATED,
        "as_of": "2026-10-14", "source_url": GENAI_PRICES,
        "note": "Base prices from genai-prices 0.2.3. Mistral has deprecated fine-tuning with "
        "no replacement; its page gives no date.",
    },
)
