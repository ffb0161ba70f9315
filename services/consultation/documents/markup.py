"""The minutes' Markdown, read as the plain blocks a printed verbale needs. Pure.

Headings (`#`..`###`), bulleted (`-`, `*`) and numbered (`1.`) lists, paragraphs (lines joined, a blank
line ends them). Inline marks (`**`, `_`, links) stay as typed: the text is the approved text, and a
document for the archive shows it rather than guessing at it. The template escapes every block.
"""
from __future__ import annotations

import re

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,4}[.)]\s+(.*)$")


def blocks(text: str) -> list[dict]:
    """[{kind: heading|paragraph|bullets|numbers, level?, text? , items?}] in the order of the text."""
    found: list[dict] = []
    paragraph: list[str] = []

    def end_paragraph():
        if paragraph:
            found.append({"kind": "paragraph", "text": " ".join(paragraph)})
            paragraph.clear()

    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        heading, bullet, numbered = _HEADING.match(line), _BULLET.match(raw), _NUMBERED.match(raw)
        if not line:
            end_paragraph()
        elif heading:
            end_paragraph()
            found.append({"kind": "heading", "level": min(len(heading.group(1)), 3), "text": heading.group(2)})
        elif bullet or numbered:
            end_paragraph()
            kind, item = ("bullets", bullet.group(1)) if bullet else ("numbers", numbered.group(1))
            if found and found[-1]["kind"] == kind and not found[-1].get("closed"):
                found[-1]["items"].append(item.strip())
            else:
                found.append({"kind": kind, "items": [item.strip()]})
        else:
            paragraph.append(line)
        if not line and found and found[-1]["kind"] in ("bullets", "numbers"):
            found[-1]["closed"] = True   # a blank line ends a list: the next item starts a new one
    end_paragraph()
    for block in found:
        block.pop("closed", None)
    return found
