"""The questions Advisor asks, in plain words, and how each answer reads back to a person.

One catalogue serves the wizard's labels, the review step, the result page, the Markdown export
and the admin, so a question is worded in one place only.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from decisions.domain import engine

YES_NO = (("yes", "Yes"), ("no", "No"))


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    hint: str = ""


@dataclass(frozen=True)
class Question:
    name: str  # the engine.Answers field
    step: str
    label: str  # the question, as the page asks it
    short: str  # names the answer in "Change <short>"
    hint: str
    options: tuple[Option, ...] = field(default=())  # empty for numbers

    @property
    def is_bool(self) -> bool:
        return self.name in BOOL_FIELDS

    def in_words(self, value: object) -> str:
        """The answer as a person would say it back: "2,000,000 a month", "Weekly"."""
        if self.is_bool:
            value = "yes" if value else "no"
        for option in self.options:
            if option.value == value:
                return option.label
        if isinstance(value, int):
            return f"{NUMBER_PREFIX.get(self.name, '')}{value:,}{NUMBER_SUFFIX.get(self.name, '')}"
        return str(value)


BOOL_FIELDS = frozenset({"domain_language", "fresh_knowledge", "prompt_caching"})
NUMBER_SUFFIX = {
    "monthly_requests": " a month",
    "prompt_tokens": " tokens",
    "labeled_examples": " examples",
    "input_tokens": " tokens",
    "output_tokens": " tokens",
    "tuned_prompt_tokens": " tokens",
    "retrieved_tokens": " tokens",
    "engineering_days": " days",
}
NUMBER_PREFIX = {"day_rate": "$"}


def _options(pairs: tuple[tuple[str, str], ...], hints: Mapping[str, str]) -> tuple[Option, ...]:
    return tuple(Option(value, label, hints.get(value, "")) for value, label in pairs)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "monthly_requests", "volume",
        "How many completions a month will this task run?",
        "monthly volume",
        "Count calls to the model for this one task, now or expected in production, for example "
        "250,000. A request is one model call: an agent's tool loop makes several. Enter 0 if "
        "you do not know yet.",
    ),
    Question(
        "prompt_tokens", "volume",
        "How long is the prompt sent with every call, in tokens?",
        "prompt length",
        "Instructions, few-shot examples and tool schemas, for example 1,500 (about 1,100 "
        "words). Leave 1,500 if you do not know yet.",
    ),
    Question(
        "labeled_examples", "data",
        "How many good labeled examples do you have today?",
        "labeled examples",
        "Pairs of an input and the output you want, checked by a person, for example 800. "
        "Gains from fine-tuning usually show from 50 to 100 and grow with hundreds; enter 0 if "
        "you have none.",
    ),
    Question(
        "domain_language", "data",
        "Does the task use specialised language that the model you would prompt gets wrong, "
        "even with a good prompt?",
        "specialised language",
        "For example medical terms, legal phrasing or your company's own jargon.",
        _options(YES_NO, {
            "yes": "The model mishandles our terms even when the prompt explains them",
            "no": "Everyday language, or the model handles our terms well",
        }),
    ),
    Question(
        "small_model", "data",
        "Prompted with your prompt, is the model you would fine-tune good enough?",
        "whether the small model is good enough",
        "Judge it on a held-out evaluation set: keep about 100 labeled examples out of training "
        "and score the smaller, cheaper model you would fine-tune on them, prompted as you would "
        "prompt the large one.",
        _options(engine.SMALL_MODEL_CHOICES, {
            "good_enough": "It scores well enough on our evaluation set already",
            "falls_short": "It scores clearly worse than the large model",
            "not_tried": "We have not compared them yet",
        }),
    ),
    Question(
        "change_frequency", "stability",
        "How often do the task's requirements change?",
        "how often requirements change",
        "New instructions, new output fields, new rules. A fine-tuned model must be retrained "
        "each time; a prompt is edited in minutes.",
        _options(engine.CHANGE_FREQUENCY_CHOICES, {
            "weekly": "Most weeks",
            "monthly": "About once a month",
            "quarterly": "Every few months",
            "rarely": "Hardly ever: the task is settled",
        }),
    ),
    Question(
        "phase", "stability",
        "Where is the project now?",
        "project phase",
        "Early projects pivot; training a model for a task that may change is wasted work.",
        _options(engine.PHASE_CHOICES, {
            "exploring": "Still experimenting; the task may change shape",
            "launching": "The task is settled and we are preparing to launch",
            "production": "Running for real users",
        }),
    ),
    Question(
        "fresh_knowledge", "stability",
        "Do answers depend on facts that change after a model is trained?",
        "fresh knowledge",
        "For example prices, policies, stock levels or news. Training freezes what a model knows.",
        _options(YES_NO, {
            "yes": "Answers need current facts",
            "no": "The task does not depend on recent facts",
        }),
    ),
    Question(
        "latency", "delivery",
        "How fast must an answer come back?",
        "latency needs",
        "Every token of prompt adds time before the first word of the answer.",
        _options(engine.LATENCY_CHOICES, {
            "batch": "Nobody waits: jobs run offline or overnight",
            "interactive": "A person waits a second or two",
            "critical": "On a user-facing path where every millisecond counts",
        }),
    ),
    Question(
        "output_format", "delivery",
        "What must the output look like?",
        "output format",
        "Code that parses the output needs it in the same shape every time.",
        _options(engine.OUTPUT_FORMAT_CHOICES, {
            "free_text": "Prose for a person to read",
            "structured": "Some structure, such as headings or a loose JSON shape",
            "strict": "An exact schema, every time: code parses it",
        }),
    ),
    Question(
        "reasoning", "delivery",
        "How much reasoning does the task need?",
        "reasoning",
        "Large prompted models are strongest at multi-step reasoning.",
        _options(engine.REASONING_CHOICES, {
            "simple": "Classify, extract or rewrite",
            "complex": "Multi-step reasoning, planning or tool use",
        }),
    ),
)

# The optional "Cost details" on the volume step: they feed the cost estimate, not the verdict.
COST_QUESTIONS: tuple[Question, ...] = (
    Question(
        "input_tokens", "volume", "Input tokens per request, besides the prompt",
        "input tokens per request",
        "The user's text and any retrieved context, for example 500.",
    ),
    Question(
        "output_tokens", "volume", "Output tokens per request", "output tokens per request",
        "What the model writes back, for example 300.",
    ),
    Question(
        "tuned_prompt_tokens", "volume", "Instruction kept with the fine-tuned model, in tokens",
        "instruction for the fine-tuned model",
        "A fine-tuned model still gets a short instruction, for example 100.",
    ),
    Question(
        "retrieved_tokens", "volume", "Retrieved tokens per request, when answers need fresh facts",
        "retrieved tokens per request",
        "Facts fetched at call time and put into the prompt, for example 1,000. Counted only "
        "when answers depend on facts that change.",
    ),
    Question(
        "prompt_caching", "volume", "Bill the static prompt at the cached-input price?",
        "prompt caching",
        "Most providers cache a long, unchanging prompt automatically and charge less for it.",
        _options(YES_NO, {"yes": "Yes, where the provider caches prompts", "no": "No caching"}),
    ),
    Question(
        "prompt_model", "volume", "The model you would prompt", "model to prompt",
        "Usually a large model, used as it is with the full prompt.",
    ),
    Question(
        "tune_model", "volume", "The model you would fine-tune", "model to fine-tune",
        "Usually a smaller, cheaper model. Models a new customer cannot fine-tune today are "
        "marked; they get no fine-tuning estimate.",
    ),
    Question(
        "epochs", "volume", "Training epochs", "training epochs",
        "How many times training goes over your examples, for example 3.",
    ),
    Question(
        "engineering_days", "volume", "Engineering days to build the fine-tuning pipeline",
        "engineering days",
        "Curating data, training, evaluating and deploying, for example 10.",
    ),
    Question(
        "day_rate", "volume", "Cost of an engineering day, in US dollars", "cost of a day",
        "For example 800.",
    ),
)

BY_NAME: dict[str, Question] = {question.name: question for question in QUESTIONS}
COST_BY_NAME: dict[str, Question] = {question.name: question for question in COST_QUESTIONS}


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
STEP_NAMES = tuple(step.name for step in STEPS)


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
