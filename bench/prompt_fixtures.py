"""Deterministic, realistic Prompty prompt files of a chosen size, for the benchmark.

A generated file has YAML frontmatter (model and parameters), a long system message (rules,
labelled `Input:`/`Output:` examples and retrieved reference documents), many few-shot chat
turns (`user:` / `assistant:`) and a final `user:` message holding `{{question}}`. The prose is
built from a fixed word list with a seeded `random.Random`, so the same arguments always give
the same text, and the text is ASCII, so character offsets equal UTF-16 columns.

Sizes are measured with the server's own `o200k_base` encoding.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from server.core.encodings import get_encoding

ENCODING = "o200k_base"
# Share of the body's tokens that each section reaches, cumulatively, in order.
_SECTIONS = (("rules", 0.06), ("pairs", 0.16), ("documents", 0.68), ("turns", 1.0))


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ADJECTIVES = _words(
    "active annual automatic available basic broad careful central clear common complete "
    "current daily dedicated default detailed direct early encrypted existing external final "
    "flexible formal frequent general global hourly internal large latest legacy local manual "
    "minimal monthly native new nightly optional original partial primary private public quick "
    "recent regional reliable remote secure separate shared short simple small stable standard "
    "strict temporary typical unusual urgent valid visible weekly"
)
_NOUNS = _words(
    "account administrator alert archive backup balance bill branch browser budget bucket "
    "cache certificate change channel charge cluster column community connection console "
    "contract customer dashboard database deadline deployment device discount document domain "
    "email engineer error export feature field file firewall folder form gateway group guide "
    "incident index instance integration invoice job key library license limit log manager "
    "message metric migration model network node notification order owner package partner "
    "password payment permission plan policy portal price project query queue quota record "
    "region release replica report request result review role rule schedule schema script "
    "server service session setting snapshot storage subscription summary table team template "
    "ticket token trial update upload user vendor version volume warning webhook window "
    "workflow workspace"
)
_VERBS = _words(
    "accepts adjusts affects approves blocks breaks changes checks collects confirms connects "
    "contains controls copies creates delays deletes describes detects disables displays "
    "duplicates enables exceeds expires exports fails fixes follows handles ignores imports "
    "improves includes limits lists loads locks logs loses marks matches measures merges "
    "monitors moves notifies opens overrides pauses prevents processes protects publishes "
    "reaches reduces refreshes rejects removes renames replaces reports requires resets "
    "resolves restores retries returns reviews rotates runs saves scales schedules sends shows "
    "skips stores supports syncs tracks triggers updates uploads uses validates"
)
_BASE_VERBS = _words(
    "cancel change check configure delete disable enable export fix import limit move pause "
    "recover remove rename reset restore rotate schedule share transfer update upgrade verify"
)
_ADVERBS = _words(
    "again automatically briefly carefully clearly correctly daily directly easily eventually "
    "frequently immediately incorrectly manually normally often occasionally quickly rarely "
    "regularly safely silently slowly suddenly temporarily twice usually"
)
_PREPOSITIONS = _words(
    "after before during for from in inside on through under with without across behind near"
)
_CONNECTIVES = (
    "However,",
    "In most cases,",
    "As a result,",
    "For example,",
    "In addition,",
    "Meanwhile,",
    "Since then,",
    "Unless noted otherwise,",
    "When this happens,",
    "If needed,",
    "After the update,",
    "By default,",
)
_PRODUCTS = ("Acme Cloud", "Acme Analytics", "Acme Storage", "Acme Mail", "Acme Pay")
_CATEGORIES = ("billing", "outage", "performance", "account", "feature-request", "security")
_PRIORITIES = ("low", "normal", "high")


class _Prose:
    """Sentences and paragraphs of plausible support-desk English, from one seeded generator."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, words: tuple[str, ...]) -> str:
        return self.rng.choice(words)

    def noun_phrase(self) -> str:
        if self.rng.random() < 0.5:
            return f"the {self.pick(_ADJECTIVES)} {self.pick(_NOUNS)}"
        return f"the {self.pick(_NOUNS)}"

    def sentence(self) -> str:
        rng = self.rng
        words = [self.noun_phrase(), self.pick(_VERBS), self.noun_phrase()]
        if rng.random() < 0.35:
            words.append(self.pick(_ADVERBS))
        if rng.random() < 0.6:
            words += [self.pick(_PREPOSITIONS), self.noun_phrase()]
        if rng.random() < 0.25:
            words += ["of", self.pick(_PRODUCTS)]
        text = " ".join(words)
        if rng.random() < 0.2:
            text = f"{self.pick(_CONNECTIVES)} {text}"
        elif rng.random() < 0.1:
            text = f"Within {rng.randint(2, 90)} {self.pick(('minutes', 'hours', 'days'))}, {text}"
        return text[0].upper() + text[1:] + "."

    def paragraph(self, low: int = 3, high: int = 7) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def title(self) -> str:
        return f"{self.pick(_ADJECTIVES).title()} {self.pick(_NOUNS)} {self.pick(_NOUNS)}s"

    def question(self) -> str:
        rng = self.rng
        verb = self.pick(_BASE_VERBS)
        form = rng.randrange(4)
        if form == 0:
            return f"How do I {verb} {self.noun_phrase()} when {self.noun_phrase()} fails?"
        if form == 1:
            return f"Why does {self.noun_phrase()} keep showing a {self.pick(_NOUNS)} error?"
        if form == 2:
            return f"{self.sentence()} Can you tell me what to do next?"
        return f"{self.sentence()} {self.sentence()} Is this expected?"


def _frontmatter(rng: random.Random) -> str:
    return (
        "---\n"
        "name: Support assistant with retrieved documents\n"
        "description: Answers customer questions from the knowledge base, in JSON.\n"
        "authors:\n"
        "  - benchmark\n"
        "model:\n"
        "  api: chat\n"
        "  configuration:\n"
        "    type: azure_openai\n"
        "    azure_deployment: gpt-4o-mini\n"
        "  parameters:\n"
        f"    max_tokens: {rng.choice((400, 800, 1200))}\n"
        f"    temperature: {rng.choice((0.0, 0.2, 0.3))}\n"
        "sample:\n"
        '  question: "Why was I charged twice this month?"\n'
        "---\n"
    )


def _rule(prose: _Prose, number: int) -> str:
    base, np, p = prose.pick(_BASE_VERBS), prose.noun_phrase, prose.pick(_PREPOSITIONS)
    rule = prose.pick(
        (
            f"Always {base} {np()} before you {prose.pick(_BASE_VERBS)} {np()}.",
            f"Never {base} {np()} unless the customer confirms {np()}.",
            f"If the customer asks about {np()}, {base} {np()} first.",
            f"When {np()} {prose.pick(_VERBS)} {np()}, tell the customer to {base} {np()}.",
            f"Do not mention {np()} or {np()} in the reply.",
            f"Only {base} {np()} {p} {np()} when the customer is the owner.",
        )
    )
    return f"{number}. {rule}\n"


def _labelled_pair(prose: _Prose, number: int) -> str:
    category, priority = prose.pick(_CATEGORIES), prose.pick(_PRIORITIES)
    return (
        f"Input: {prose.question()}\n"
        f'Output: {{"category": "{category}", "priority": "{priority}", '
        f'"reply": "{prose.sentence()} {prose.sentence()}"}}\n\n'
    )


def _document(prose: _Prose, number: int) -> str:
    title = prose.title()
    slug = "-".join(title.lower().split())
    paragraphs = "\n\n".join(prose.paragraph() for _ in range(prose.rng.randint(2, 4)))
    return f"### Document {number}: {title}\nSource: kb/{slug}.md\n\n{paragraphs}\n\n"


def _turn(prose: _Prose, number: int) -> str:
    category, priority = prose.pick(_CATEGORIES), prose.pick(_PRIORITIES)
    answer = prose.paragraph(2, 4)
    return (
        f"user:\n{prose.question()}\n\n"
        f'assistant:\n{{"category": "{category}", "priority": "{priority}", '
        f'"reply": "{answer}"}}\n\n'
    )


_MAKERS: dict[str, Callable[[_Prose, int], str]] = {
    "rules": _rule,
    "pairs": _labelled_pair,
    "documents": _document,
    "turns": _turn,
}
_HEADINGS = {
    "rules": "system:\nYou are the support assistant for Acme Cloud. Follow these rules:\n\n",
    "pairs": "\nClassify tickets as in these examples:\n\n",
    "documents": "Answer only from the reference documents below.\n\n## Reference documents\n\n",
    "turns": "",
}
_TAIL = "user:\n{{question}}\n"


def prompty_of_tokens(target_tokens: int, seed: int = 0) -> str:
    """A Prompty file of about `target_tokens` `o200k_base` tokens (within 5%), always the same
    for the same arguments."""
    if target_tokens < 500:
        raise ValueError("the smallest realistic prompt here is 500 tokens")
    encoding = get_encoding(ENCODING)

    def tokens(text: str) -> int:
        return len(encoding.encode_ordinary(text))

    rng = random.Random(seed)
    prose = _Prose(rng)
    head = _frontmatter(rng)
    pieces = [head]
    used = tokens(head) + tokens(_TAIL)
    body_target = target_tokens - used
    body_used = 0
    for name, share in _SECTIONS:
        heading = _HEADINGS[name]
        pieces.append(heading)
        body_used += tokens(heading)
        goal = round(body_target * share)
        number = 0
        while body_used < goal:
            number += 1
            piece = _MAKERS[name](prose, number)
            size = tokens(piece)
            # Take the piece only if it brings the section closer to its goal.
            if body_used + size - goal > goal - body_used:
                break
            pieces.append(piece)
            body_used += size
    pieces.append(_TAIL)
    return "".join(pieces)


def token_count(text: str) -> int:
    """Tokens of `text` in the encoding the fixtures are sized with."""
    return len(get_encoding(ENCODING).encode_ordinary(text))


_TOPICS = (
    "Refund policy",
    "Billing disputes",
    "Password resets",
    "Data export limits",
    "Backup retention",
    "Seat licensing",
    "Invoice corrections",
    "Outage credits",
    "Plan upgrades",
    "Account deletion",
    "API rate limits",
    "Region migration",
    "Single sign-on setup",
    "Audit log access",
    "Trial extensions",
)


def _qualifier(prose: _Prose) -> str:
    rng = prose.rng
    return prose.pick(
        (
            f" for orders over ${rng.choice((50, 100, 250, 500, 1000, 5000))}",
            f" in {prose.pick(_PRODUCTS)}",
            f" for {prose.pick(('Free', 'Team', 'Business', 'Enterprise'))} plans",
            f" after {rng.randint(2, 90)} days",
            f" for {prose.pick(_ADJECTIVES)} {prose.pick(_NOUNS)}s",
        )
    )


def reference_lines(count: int, seed: int = 0) -> str:
    """`count` one-line retrieved references, as a RAG prompt pastes them into its system
    message: `- [doc 123] Refund policy for orders over $500: <a sentence>`, each
    about 90 characters, newline-terminated, always the same for the same arguments."""
    rng = random.Random(seed)
    prose = _Prose(rng)
    lines = []
    for number in range(1, count + 1):
        qualifier = _qualifier(prose) if rng.random() < 0.3 else ""
        topic = f"{prose.pick(_TOPICS)}{qualifier}"
        lines.append(f"- [doc {number}] {topic}: {prose.sentence()}\n")
    return "".join(lines)
