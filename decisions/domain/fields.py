"""The one catalogue of what Advisor asks (DESIGN.md section 2): every answer, every cost detail and
the title, each with its type, range, default, wording, choices and error messages.

Plain Python with no Django import. engine.Answers and costs.CostInputs validate with it; the
forms, the API, the OpenAPI description, the admin, the CSV and the pages derive from it, so a
fact about an answer is written here and nowhere else. What one entry is and says when an answer
is wrong: decisions.domain.question.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from decisions.domain.question import CHOICE, COUNT, MODEL, TEXT, YES_NO, Option, Question

MAX_MONTHLY_REQUESTS = 10**12
MAX_PROMPT_TOKENS = 2_000_000
MAX_LABELED_EXAMPLES = 10**9
MAX_TOKENS_PER_REQUEST = 2_000_000
MAX_EPOCHS = 100
MAX_ENGINEERING_DAYS = 1000
MAX_DAY_RATE = 1_000_000
MAX_MODEL_NAME = 60
PROMPT_TOKENS = 1500  # the prompt length assumed until a person gives theirs

# The default pair of models is one a new customer can fine-tune today (a test holds the seeded
# price sheet to it).
DEFAULT_PROMPT_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
DEFAULT_TUNE_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"

YES_NO_CHOICES = (("yes", "Yes"), ("no", "No"))
# The verdict's values, with the words pages use for them.
RECOMMENDATION_CHOICES: tuple[tuple[str, str], ...] = (
    ("prompting", "Prompting"),
    ("fine_tuning", "Fine-tuning"),
    ("hybrid", "Hybrid"),
)
PROMPTING, FINE_TUNING, HYBRID = (value for value, _ in RECOMMENDATION_CHOICES)
STRENGTH_CHOICES: tuple[tuple[str, str], ...] = (("clear", "Clear"), ("borderline", "Borderline"))


def _options(pairs: tuple[tuple[str, str], ...], hints: Mapping[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value, label, hints.get(value, "")) for value, label in pairs)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "monthly_requests", COUNT,
        "How many completions a month will this task run?",
        "monthly volume",
        "Count calls to the model for this one task, now or expected in production, for example "
        "250,000. A request is one model call: an agent's tool loop makes several. Enter 0 if "
        "you do not know yet.",
        "Completions per month on this task, now or expected in production.",
        maximum=MAX_MONTHLY_REQUESTS, noun="completions a month", example=250_000,
        suffix=" a month",
    ),
    Question(
        "prompt_tokens", COUNT,
        "How long is the prompt sent with every call, in tokens?",
        "prompt length",
        f"Instructions, few-shot examples and tool schemas, for example {PROMPT_TOKENS:,} (about "
        f"1,100 words). Leave {PROMPT_TOKENS:,} if you do not know yet.",
        "Tokens of instructions and few-shot examples sent with every call.",
        default=PROMPT_TOKENS, maximum=MAX_PROMPT_TOKENS, noun="prompt tokens",
        example=PROMPT_TOKENS,
        suffix=" tokens",
    ),
    Question(
        "labeled_examples", COUNT,
        "How many good labeled examples do you have today?",
        "labeled examples",
        "Pairs of an input and the output you want, checked by a person, for example 800. "
        "Gains from fine-tuning usually show from 50 to 100 and grow with hundreds; enter 0 if "
        "you have none.",
        "High-quality labeled input/output examples available today.",
        step="data", maximum=MAX_LABELED_EXAMPLES, noun="labeled examples", example=800,
        suffix=" examples",
    ),
    Question(
        "domain_language", YES_NO,
        "Does the task use specialised language that the model you would prompt gets wrong, "
        "even with a good prompt?",
        "specialised language",
        "For example medical terms, legal phrasing or your company's own jargon.",
        "The task uses specialised language the base model mishandles.",
        step="data",
        options=_options(YES_NO_CHOICES, {
            "yes": "The model mishandles our terms even when the prompt explains them",
            "no": "Everyday language, or the model handles our terms well",
        }),
        select="Select yes if the model mishandles your specialised terms.",
    ),
    Question(
        "small_model", CHOICE,
        "Prompted with your prompt, is the model you would fine-tune good enough?",
        "whether the small model is good enough",
        "Judge it on a held-out evaluation set: keep about 100 labeled examples out of training "
        "and score the smaller, cheaper model you would fine-tune on them, prompted as you would "
        "prompt the large one.",
        "The model you would fine-tune, prompted with your prompt and judged on a held-out "
        "evaluation set (about 100 examples kept out of training): is its quality good enough "
        "for this task?",
        step="data", default="not_tried", must_answer=True,
        options=_options(
            (("good_enough", "Good enough"), ("falls_short", "Falls short"),
             ("not_tried", "Not tried yet")),
            {
                "good_enough": "It scores well enough on our evaluation set already",
                "falls_short": "It scores clearly worse than the large model",
                "not_tried": "We have not compared them yet",
            },
        ),
        select="Select whether the model you would fine-tune is good enough when prompted.",
    ),
    Question(
        "change_frequency", CHOICE,
        "How often do the task's requirements change?",
        "how often requirements change",
        "New instructions, new output fields, new rules. A fine-tuned model must be retrained "
        "each time; a prompt is edited in minutes.",
        "How often the task's requirements change.",
        step="stability",
        options=_options(
            (("weekly", "Weekly"), ("monthly", "Monthly"), ("quarterly", "Quarterly"),
             ("rarely", "Rarely")),
            {
                "weekly": "Most weeks",
                "monthly": "About once a month",
                "quarterly": "Every few months",
                "rarely": "Hardly ever: the task is settled",
            },
        ),
        select="Select how often the task's requirements change.",
    ),
    Question(
        "phase", CHOICE,
        "Where is the project now?",
        "project phase",
        "Early projects pivot; training a model for a task that may change is wasted work.",
        "Still experimenting, preparing launch, or running in production.",
        step="stability",
        options=_options(
            (("exploring", "Exploring"), ("launching", "Launching"),
             ("production", "In production")),
            {
                "exploring": "Still experimenting; the task may change shape",
                "launching": "The task is settled and we are preparing to launch",
                "production": "Running for real users",
            },
        ),
        select="Select where the project is now.",
    ),
    Question(
        "fresh_knowledge", YES_NO,
        "Do answers depend on facts that change after a model is trained?",
        "fresh knowledge",
        "For example prices, policies, stock levels or news. Training freezes what a model knows.",
        "Answers depend on facts that change after a model is trained.",
        step="stability",
        options=_options(YES_NO_CHOICES, {
            "yes": "Answers need current facts",
            "no": "The task does not depend on recent facts",
        }),
        select="Select yes if answers depend on facts that change.",
    ),
    Question(
        "latency", CHOICE,
        "How fast must an answer come back?",
        "latency needs",
        "Every token of prompt adds time before the first word of the answer.",
        "Offline, a person waits, or a latency-critical user-facing path.",
        step="delivery",
        options=_options(
            (("batch", "Batch / offline"), ("interactive", "Interactive"),
             ("critical", "Latency-critical")),
            {
                "batch": "Nobody waits: jobs run offline or overnight",
                "interactive": "A person waits a second or two",
                "critical": "On a user-facing path where every millisecond counts",
            },
        ),
        select="Select how fast an answer must come back.",
    ),
    Question(
        "output_format", CHOICE,
        "What must the output look like?",
        "output format",
        "Code that parses the output needs it in the same shape every time.",
        "Prose, loose structure, or an exact schema every time.",
        step="delivery",
        options=_options(
            (("free_text", "Free text"), ("structured", "Loosely structured"),
             ("strict", "Strict schema")),
            {
                "free_text": "Prose for a person to read",
                "structured": "Some structure, such as headings or a loose JSON shape",
                "strict": "An exact schema, every time: code parses it",
            },
        ),
        select="Select what the output must look like.",
    ),
    Question(
        "reasoning", CHOICE,
        "How much reasoning does the task need?",
        "reasoning",
        "Large prompted models are strongest at multi-step reasoning.",
        "Classification and rewriting, or multi-step reasoning and tool use.",
        step="delivery",
        options=_options(
            (("simple", "Simple"), ("complex", "Complex, multi-step")),
            {
                "simple": "Classify, extract or rewrite",
                "complex": "Multi-step reasoning, planning or tool use",
            },
        ),
        select="Select how much reasoning the task needs.",
    ),
)

# The optional "Cost details" on the volume step: they feed the cost estimate, not the verdict.
# Each has a default; a count's example in messages is its default.
COST_QUESTIONS: tuple[Question, ...] = (
    Question(
        "input_tokens", COUNT, "Input tokens per request, besides the prompt",
        "input tokens per request",
        "The user's text and any retrieved context, for example 500.",
        "Input tokens per request besides the prompt (the user's text, retrieved context).",
        default=500, example=500, maximum=MAX_TOKENS_PER_REQUEST, noun="input tokens per request",
        suffix=" tokens",
    ),
    Question(
        "output_tokens", COUNT, "Output tokens per request", "output tokens per request",
        "What the model writes back, for example 300.",
        "Output tokens the model writes back per request.",
        default=300, example=300, maximum=MAX_TOKENS_PER_REQUEST, noun="output tokens per request",
        suffix=" tokens",
    ),
    Question(
        "tuned_prompt_tokens", COUNT, "Instruction kept with the fine-tuned model, in tokens",
        "instruction for the fine-tuned model",
        "A fine-tuned model still gets a short instruction, for example 100.",
        "The short instruction a fine-tuned model still gets, in tokens.",
        default=100, example=100, maximum=MAX_TOKENS_PER_REQUEST, noun="instruction tokens",
        suffix=" tokens",
    ),
    Question(
        "retrieved_tokens", COUNT, "Retrieved tokens per request, when answers need fresh facts",
        "retrieved tokens per request",
        "Facts fetched at call time and put into the prompt, for example 1,000. Counted only "
        "when answers depend on facts that change.",
        "Tokens of facts retrieved into every call when answers need fresh knowledge.",
        default=1000, example=1000, maximum=MAX_TOKENS_PER_REQUEST,
        noun="retrieved tokens per request",
        suffix=" tokens",
    ),
    Question(
        "prompt_caching", YES_NO, "Bill the static prompt at the cached-input price?",
        "prompt caching",
        "Most providers cache a long, unchanging prompt automatically and charge less for it.",
        "Bill the static prompt at the cached-input price where there is one.",
        default=True,
        options=_options(YES_NO_CHOICES, {
            "yes": "Yes, where the provider caches prompts", "no": "No caching",
        }),
        select="Select yes or no for prompt caching.",
    ),
    Question(
        "prompt_model", MODEL, "The model you would prompt", "model to prompt",
        "Usually a large model, used as it is with the full prompt.",
        "The model you would prompt: a name on the price sheet.",
        default=DEFAULT_PROMPT_MODEL, maximum=MAX_MODEL_NAME,
        select="Choose a model to prompt from the list.",
    ),
    Question(
        "tune_model", MODEL, "The model you would fine-tune", "model to fine-tune",
        "Usually a smaller, cheaper model. Models a new customer cannot fine-tune today are "
        "marked; they get no fine-tuning estimate.",
        "The model you would fine-tune: a name on the price sheet that is offered for "
        "fine-tuning. One closed to new customers gets no fine-tuning estimate.",
        default=DEFAULT_TUNE_MODEL, maximum=MAX_MODEL_NAME,
        select="Choose a model to fine-tune from the list.",
    ),
    Question(
        "epochs", COUNT, "Training epochs", "training epochs",
        "How many times training goes over your examples, for example 3.",
        "Training epochs over the examples.",
        default=3, example=3, minimum=1, maximum=MAX_EPOCHS, noun="training epochs",
    ),
    Question(
        "engineering_days", COUNT, "Engineering days to build the fine-tuning pipeline",
        "engineering days",
        "Curating data, training, evaluating and deploying, for example 10.",
        "Engineering days to build the fine-tuning pipeline.",
        default=10, example=10, maximum=MAX_ENGINEERING_DAYS, noun="engineering days",
        suffix=" days",
    ),
    Question(
        "day_rate", COUNT, "Cost of an engineering day, in US dollars", "cost of a day",
        "For example 800.",
        "Cost of an engineering day, in US dollars.",
        default=800, example=800, maximum=MAX_DAY_RATE, noun="US dollars a day", prefix="$",
    ),
)

TITLE = Question(
    "title", TEXT, "Name this assessment (optional)", "name",
    "Teammates see it on the shared result, for example Support triage.",
    "A name for the decision, shown on the result page. Optional. Control characters (line "
    "breaks, tabs, NUL) and bidirectional overrides are refused.",
    step="review", default="", maximum=120,
)

BY_NAME: dict[str, Question] = {question.name: question for question in QUESTIONS}
COST_BY_NAME: dict[str, Question] = {question.name: question for question in COST_QUESTIONS}
# The cost details in the order the form asks them; the two model names are among them.
COST_DETAIL_NAMES: tuple[str, ...] = tuple(COST_BY_NAME)
MODEL_FIELDS: tuple[str, ...] = tuple(q.name for q in COST_QUESTIONS if q.kind == MODEL)
# What costs.CostInputs holds: the cost details other than the models.
COST_INPUTS: dict[str, Question] = {q.name: q for q in COST_QUESTIONS if q.kind != MODEL}


def choices(name: str) -> tuple[tuple[str, str], ...]:
    """(value, label) pairs of an answer's options, for Django's TextChoices."""
    return tuple((option.value, option.label) for option in BY_NAME[name].options)


@dataclass(frozen=True)
class Step:
    name: str
    title: str  # shown in the progress list
    heading: str  # the page's question


STEPS: tuple[Step, ...] = (
    Step("volume", "Volume", "How much will this task be used?"),
    Step("data", "Data", "What data do you have?"),
    Step("stability", "Stability", "How settled is the task?"),
    Step("delivery", "Delivery", "What must the answers be like?"),
    Step("review", "Review", "Check your answers"),
)


def questions_for(step: str) -> tuple[Question, ...]:
    return tuple(question for question in QUESTIONS if question.step == step)


@dataclass(frozen=True)
class AnswerLine:
    question: Question
    value: object
    words: str


def answer_lines(
    answers: Mapping[str, object], questions: tuple[Question, ...] = QUESTIONS
) -> list[AnswerLine]:
    """Every answer present in `answers`, in question order, with its words."""
    return [
        AnswerLine(question, answers[question.name], question.in_words(answers[question.name]))
        for question in questions
        if question.name in answers
    ]
