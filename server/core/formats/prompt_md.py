"""VS Code / Copilot prompt files: `.prompt.md`, `.instructions.md`, `.chatmode.md`.

Frontmatter (`description`, `mode` or `agent`, `model`, `tools`); the body is one user message.
"""

from __future__ import annotations

from server.core.formats.assemble import assemble, listing, mapping
from server.core.formats.frontmatter import read_frontmatter
from server.core.formats.role_markers import stripped_span
from server.core.prompt_model import Message, Metadata, PromptDocument, Role, Span
from server.core.template_syntax import vscode_variables


def parse_prompt_md(text: str) -> PromptDocument:
    frontmatter = read_frontmatter(text)
    data = frontmatter.data
    body = Span(frontmatter.body_start, len(text))
    content = stripped_span(text, body.start, body.end)
    messages = []
    if content.end > content.start:
        messages.append(Message(Role.USER, text[content.start : content.end], body, content))
    model = data.get("model")
    return assemble(
        format="prompt-md",
        text=text,
        metadata=Metadata(
            model=model if isinstance(model, str) else None,
            tools=listing(data.get("tools")),
            promptweight=mapping(data.get("promptweight")),
            raw=data,
        ),
        frontmatter=frontmatter.span,
        body=body,
        messages=messages,
        variables=vscode_variables(text, body),
        placeholders=[],
        problems=list(frontmatter.problems),
    )
