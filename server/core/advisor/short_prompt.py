"""The short prompt: a prompt without its few-shot examples, for the adapter trained on them.

Once a run has trained an adapter on a prompt's exported examples, the adapter has learned what
the examples showed; sending them on every call pays for them twice. `short_prompt_text` is
the same prompt without them, and with `promptweight: adapter:` in its frontmatter naming the
run folder (relative to the short prompt), so that the pair stays known. It is written to
`tuned_path(prompt)`, `<stem>.tuned.<ext>`: still a prompt file of the same format.

What is removed is exactly each example's span (a chat pair's two messages, markers included;
an in-text example's labels or `<example>` block), so the rest of the file stays byte for byte
as it was, except at each cut's seam, where the whitespace left keeps the line breaks of the
wider side (one blank line at most). Also removed: a heading ("Examples:", "## Example 2") or
an `<examples>` wrapper left with nothing under it. Kept: the lines of a cut that hold only a
template block tag (`{% for %}`, `{{#each}}`, `{% endblock %}`), so that a loop or block opened
or closed inside an example stays balanced.

`drop_format` also removes, from the system messages only, the lines that state the output
format the examples taught: a line naming JSON, YAML, a format or a schema together with a JSON
object (`{"` ...) or a key list (`keys:`, `fields:`). Conservative on purpose: a line must have
both to go, and instructions that merely mention a format stay. Off by default.

Chat JSON and YAML have no frontmatter to name the adapter in, and a span cut out of JSON leaves
its commas wrong: their short prompt is refused (`ShortPromptRefused`), and the editor does not
offer it. So is a prompt whose examples are not read verbatim from the file (a placeholder cut
out of their message), as their spans do not say exactly which characters to remove.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from server.core.advisor.proof import prompt_runs
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_files import is_prompt_file, prompt_stem
from server.core.prompt_model import PromptDocument, Role, Span
from server.core.yaml_limits import compose_limited

TUNED = ".tuned"
# The formats whose files open with YAML frontmatter, where `promptweight: adapter:` goes.
FRONTMATTER_FORMATS = frozenset({"prompty", "dotprompt", "prompt-md", "markdown"})
_SPACE = " \t\r\n"
# A line of at most this many characters can be a heading over examples; longer is prose.
_HEADING_MAX = 80
# "Examples:", "## Few-shot examples", "**Example 2:**", "Here are some examples (JSON):".
# Linear: tried only on one stripped line of at most `_HEADING_MAX` characters.
_HEADING = re.compile(
    r"[#>*_\- \t]*(?:[\w-]+[ \t]+){0,4}?examples?(?:[ \t]+#?\d+)?"
    r"(?:[ \t]*\([^()\n]{0,40}\))?[ \t]*:?[*_ \t]*",
    re.I,
)
# Linear: tried on one stripped line; `[^>\n]*` stops at the first `>`.
_WRAPPER_OPEN = re.compile(r"<examples\b[^>\n]*>", re.I)
_WRAPPER_CLOSE = "</examples>"
# A line about the output format: a format word (linear: a bounded alternation at word starts)...
_FORMAT_WORD = re.compile(r"\b(?:json|yaml|format|schema)\b", re.I)
# ... with a JSON object written out (linear: each `{` reads the spaces after it, up to the
# next non-space, which no other attempt reads) or a key list (linear: a bounded literal).
_JSON_OBJECT = re.compile(r"\{[ \t]*[\"']")
_KEY_LIST = re.compile(r"\b(?:keys|fields|properties)[ \t]*:", re.I)


class ShortPromptRefused(ValueError):
    """Why a prompt has no short prompt; the message is for the user."""


def tuned_path(path: Path) -> Path:
    """`triage.prompty` → `triage.tuned.prompty`, `x.prompt.md` → `x.tuned.prompt.md`: the
    compound extension kept, so that the short prompt is a prompt file of the same format."""
    stem = prompt_stem(path.name)
    return path.with_name(stem + TUNED + path.name[len(stem) :])


def original_path(path: Path) -> Path | None:
    """The prompt a short prompt was written from (`x.tuned.prompty` → `x.prompty`), or None
    for a name that is not a short prompt's."""
    stem = prompt_stem(path.name)
    if not is_prompt_file(path.name) or not stem.endswith(TUNED) or stem == TUNED:
        return None
    return path.with_name(stem.removesuffix(TUNED) + path.name[len(stem) :])


def adapter_reference(short_prompt: Path, run_dir: Path) -> str:
    """The run folder as the short prompt names it: relative to the short prompt's folder, with
    `/`, so that the pair can move together; absolute when no relative path exists (another
    drive)."""
    try:
        return Path(os.path.relpath(run_dir, short_prompt.parent)).as_posix()
    except ValueError:
        return run_dir.as_posix()


def newest_adapter(prompt: Path, root: Path | None, dataset_folder: str) -> Path | None:
    """The run folder of the newest finished run, with its adapter, of a config that trains on
    this prompt's exported dataset (`<stem>.train.jsonl`, where the export writes it); None
    when there is none (`proof.prompt_runs` finds the runs)."""
    for run in prompt_runs(prompt, root, dataset_folder):
        if run.state == "finished" and run.adapter_path is not None:
            return Path(run.run_dir)
    return None


def why_no_short_prompt(document: PromptDocument | None) -> str | None:
    """Why this document cannot be shortened, or None when it can (whether or not it has
    examples)."""
    if document is None:
        return "not a prompt"
    if document.format not in FRONTMATTER_FORMATS:
        return f"a {document.format} prompt has no frontmatter to name the adapter in"
    if any(p.code.startswith("frontmatter") for p in document.problems):
        return "its frontmatter has errors; fix them first"
    holding = {e.message_index for e in document.examples if e.message_index is not None}
    for index in holding:  # each message once: its examples can be many
        message = document.messages[index]
        region = message.content_span
        if document.text[region.start : region.end] != message.content:
            return "an example lies in a message that is not read verbatim (a placeholder inside)"
    return None


def short_prompt_text(
    text: str, analysis: PromptAnalysis, adapter: str, drop_format: bool = False
) -> str:
    """`text` (the text `analysis` is of) without its few-shot examples, naming `adapter` in
    its frontmatter; with `drop_format`, without its output-format lines too."""
    document = analysis.document
    reason = why_no_short_prompt(document)
    if reason is not None:
        raise ShortPromptRefused(reason)
    assert document is not None
    if document.text != text:
        raise ShortPromptRefused("the analysis is of another text")
    examples = [example.span for example in document.examples]
    cuts = [(span, True) for span in examples]
    if drop_format:
        cuts += [(line, False) for line in _format_lines(document, examples)]
    return _with_adapter(_cut(text, cuts, document), document, adapter)


def _lines(text: str, region: Span) -> Iterator[Span]:
    """Each line of text[region], its newline included."""
    at = region.start
    while at < region.end:
        newline = text.find("\n", at, region.end)
        end = region.end if newline == -1 else newline + 1
        yield Span(at, end)
        at = end


def _format_lines(document: PromptDocument, examples: list[Span]) -> list[Span]:
    """The system messages' lines that state the output format, outside the examples."""
    found = []
    text = document.text
    ordered = sorted(examples, key=lambda s: s.start)
    for message in document.messages:
        region = message.content_span
        if message.role is not Role.SYSTEM or text[region.start : region.end] != message.content:
            continue  # only system text, read verbatim, so that a line can be cut exactly
        # The examples from the first that could overlap this message's lines, in step with
        # them: a scan of every example for every line was quadratic.
        first = bisect.bisect_right(ordered, region.start, key=lambda s: s.end)
        for line in _lines(text, region):
            while first < len(ordered) and ordered[first].end <= line.start:
                first += 1
            if first < len(ordered) and ordered[first].start < line.end:
                continue  # part of an example, which goes anyway
            content = text[line.start : line.end].rstrip("\r\n")
            if _FORMAT_WORD.search(content) and (
                _JSON_OBJECT.search(content) or _KEY_LIST.search(content)
            ):
                # Without its line break: the seam keeps the breaks of the wider side.
                found.append(Span(line.start, line.start + len(content)))
    return found


def _only_space(text: str, start: int, end: int) -> bool:
    return start >= end or not text[start:end].strip(_SPACE)


def _merged(text: str, cuts: list[tuple[Span, bool]]) -> list[tuple[Span, bool]]:
    """Cuts in order, overlapping ones or ones with only whitespace between made one; each
    with whether it holds an example (rather than only format lines)."""
    merged: list[tuple[Span, bool]] = []
    for span, example in sorted(cuts, key=lambda cut: cut[0].start):
        if merged:
            last, had_example = merged[-1]
            if span.start <= last.end or _only_space(text, last.end, span.start):
                merged[-1] = (Span(last.start, max(last.end, span.end)), had_example or example)
                continue
        merged.append((span, example))
    return merged


def _space_before(text: str, at: int, floor: int) -> int:
    while at > floor and text[at - 1] in _SPACE:
        at -= 1
    return at


def _space_after(text: str, at: int, ceiling: int) -> int:
    while at < ceiling and text[at] in _SPACE:
        at += 1
    return at


def _line_before(text: str, at: int, floor: int) -> Span | None:
    """The last non-blank line before `at` (not before `floor`), without its spaces."""
    end = _space_before(text, at, floor)
    if end == floor:
        return None
    start = max(text.rfind("\n", floor, end) + 1, floor)
    return Span(_space_after(text, start, end), end)


def _left_empty(text: str, group: Span, ceiling: int, boundaries: set[int]) -> bool:
    """Whether nothing follows the cut group under the same heading: a message boundary (the
    next role marker), a blank line or the end of the text comes next."""
    after = _space_after(text, group.end, ceiling)
    return group.end in boundaries or after == ceiling or text.count("\n", group.end, after) >= 2


def _with_headings(text: str, group: Span, floor: int, ceiling: int, boundaries: set[int]) -> Span:
    """The group, with the headings and `<examples>` wrapper it leaves empty."""
    while (before := _line_before(text, group.start, floor)) is not None:
        line = text[before.start : before.end]
        after = _space_after(text, group.end, ceiling)
        if _WRAPPER_OPEN.fullmatch(line) and text.startswith(_WRAPPER_CLOSE, after):
            group = Span(before.start, after + len(_WRAPPER_CLOSE))
        elif _WRAPPER_OPEN.fullmatch(line) and text.endswith(_WRAPPER_CLOSE, 0, group.end):
            # The closing tag read as the last example's output, up to its blank line.
            group = Span(before.start, group.end)
        elif (
            len(line) <= _HEADING_MAX
            and _HEADING.fullmatch(line)
            and _left_empty(text, group, ceiling, boundaries)
        ):
            group = Span(before.start, group.end)
        else:
            break
    return group


def _template_tag_lines(text: str, span: Span) -> list[str]:
    """The lines of text[span] that hold only a template block tag, stripped."""
    kept = []
    for line in _lines(text, span):
        content = text[line.start : line.end].strip(_SPACE)
        jinja = content.startswith("{%") and content.endswith("%}")
        handlebars = content.startswith(("{{#", "{{/", "{{^", "{{else")) and content.endswith("}}")
        if jinja or handlebars:
            kept.append(content)
    return kept


def _seam(before: str, after: str, at_end: bool) -> str:
    """The whitespace left where a cut was, from the whitespace on either side of it: the line
    breaks of the wider side (a blank line at most), and the next line's indentation."""
    breaks = min(max(before.count("\n"), after.count("\n")), 2)
    if at_end:
        return "\n" if breaks else ""
    if not breaks:
        return (before + after)[:1]  # a cut inside a line: one space stays between words
    side = after if "\n" in after else before
    return "\n" * breaks + side[side.rfind("\n") + 1 :]


def _cut(text: str, cuts: list[tuple[Span, bool]], document: PromptDocument) -> str:
    if not cuts:
        return text
    floor, ceiling = document.body.start, len(text)
    # Where a message's text ends: a cut that ends there leaves nothing under a heading.
    boundaries = {m.span.end for m in document.messages}
    boundaries |= {m.content_span.end for m in document.messages}
    groups: list[tuple[Span, bool]] = []
    for span, example in _merged(text, cuts):
        # A heading is looked for back to the previous cut only: a line that held many cuts
        # was read again for each one (quadratic).
        after_previous = groups[-1][0].end if groups else floor
        found = _with_headings(text, span, after_previous, ceiling, boundaries)
        groups.append((found if example else span, example))
    pieces = []
    at = 0
    for group, _ in _merged(text, groups):
        start = _space_before(text, group.start, max(at, floor))
        end = _space_after(text, group.end, ceiling)
        pieces.append(text[at:start])
        at_start, at_end = start == floor, end == ceiling
        before, after = text[start : group.start], text[group.end : end]
        kept = _template_tag_lines(text, group)
        if kept:
            # The tags on lines of their own, spaced as the text around the cut was.
            after = text[_space_before(text, group.end, group.start) : group.end] + after
            pieces.append("" if at_start else "\n\n" if before.count("\n") >= 2 else "\n")
            pieces.append("\n".join(kept))
            pieces.append("\n" if at_end or after.count("\n") < 2 else "\n\n")
        elif not at_start:
            pieces.append(_seam(before, after, at_end))
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _frontmatter_yaml(text: str, span: Span) -> Span:
    """Where the YAML between the frontmatter's `---` lines lies."""
    opening_end = text.index("\n", span.start) + 1
    last = span.end - 1 if text[span.end - 1 : span.end] == "\n" else span.end
    closing_start = max(text.rfind("\n", opening_end - 1, last) + 1, opening_end)
    return Span(opening_end, closing_start)


def _key(mapping: yaml.MappingNode, name: str) -> tuple[yaml.Node, yaml.Node] | None:
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return key, value
    return None


def _with_adapter(text: str, document: PromptDocument, adapter: str) -> str:
    # JSON's string is a YAML double-quoted scalar: any path, quoted as YAML reads it back.
    value = json.dumps(adapter, ensure_ascii=False)
    block = f"promptweight:\n  adapter: {value}\n"
    span = document.frontmatter
    if span is None:
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        return f"{bom}---\n{block}---\n{text[len(bom) :]}"
    region = _frontmatter_yaml(text, span)
    source = text[region.start : region.end]
    try:
        # The pure-Python loader: its marks count characters, as the offsets here do.
        _, root, refusal = compose_limited(source, yaml.SafeLoader, single=True)
    except yaml.YAMLError as error:
        raise ShortPromptRefused(f"its frontmatter cannot be read: {error}") from error
    if refusal is not None:
        raise ShortPromptRefused(f"its frontmatter: {refusal.reason}")
    if root is None:
        return text[: region.end] + block + text[region.end :]
    if not isinstance(root, yaml.MappingNode):
        raise ShortPromptRefused("its frontmatter is not a mapping")
    if root.flow_style:
        at = region.start + root.start_mark.index + 1  # after the `{`
        entry = f"promptweight: {{adapter: {value}}}" + (", " if root.value else "")
        return text[:at] + entry + text[at:]
    found = _key(root, "promptweight")
    if found is None:
        # At the top mapping's indentation, which YAML allows to be more than none.
        indent = " " * root.value[0][0].start_mark.column if root.value else ""
        block = f"{indent}promptweight:\n{indent}  adapter: {value}\n"
        return text[: region.end] + block + text[region.end :]
    settings = found[1]
    if not isinstance(settings, yaml.MappingNode):
        raise ShortPromptRefused("its frontmatter's `promptweight:` is not a mapping")
    existing = _key(settings, "adapter")
    if existing is not None:
        old = existing[1]
        if not isinstance(old, yaml.ScalarNode) or old.style not in (None, "", '"', "'"):
            raise ShortPromptRefused("its frontmatter's `promptweight.adapter` is not a path")
        start = region.start + old.start_mark.index
        end = region.start + old.end_mark.index
        # An empty value's mark is right after the colon, which needs a space before a value.
        return text[:start] + (" " if start == end else "") + value + text[end:]
    if settings.flow_style:
        at = region.start + settings.start_mark.index + 1  # after the `{`
        entry = f"adapter: {value}" + (", " if settings.value else "")
        return text[:at] + entry + text[at:]
    first: yaml.Node = settings.value[0][0]
    at = region.start + first.start_mark.index
    indent = " " * first.start_mark.column
    return text[:at] + f"adapter: {value}\n{indent}" + text[at:]
