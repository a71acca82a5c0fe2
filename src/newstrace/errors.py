"""newstrace's exceptions: one small hierarchy, each message written where it is raised."""


class NewstraceError(Exception):
    """Base class: every error newstrace raises on purpose."""


class InputError(NewstraceError):
    """An input item (file, line, record) cannot be read or understood."""

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class StoreError(NewstraceError):
    """The store cannot be opened, migrated or written."""


class NotFoundError(NewstraceError):
    """A requested article, story or other record is not in the store."""


class CursorError(NewstraceError):
    """A page cursor that the list it was given to did not hand out."""
