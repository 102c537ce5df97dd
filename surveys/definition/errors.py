"""The one error a bad survey definition raises."""

from __future__ import annotations


class DefinitionError(ValueError):
    """A definition was rejected. ``messages`` each start with the field path, then why."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = list(messages)
        super().__init__("invalid survey definition:\n" + "\n".join(self.messages))
