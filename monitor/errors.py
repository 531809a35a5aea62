"""Errors a user can cause, each carrying a message meant for that user."""


class WebcareError(Exception):
    """Base class: the message is shown as is, on one line, at the edge (CLI, view, job)."""


class ConfigError(WebcareError):
    """The configuration file is missing, unreadable or has a bad key."""


class DatabaseError(WebcareError):
    """The database cannot be reached or is not migrated."""


class QueryError(WebcareError):
    """A brand query does not parse; the message points at the column."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at column {position + 1}")
        self.position = position


class FetchError(WebcareError):
    """A source could not be fetched or parsed; recorded on the source, never fatal."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        # The HTTP status when the server answered with an error (410 Gone changes the source).
        self.status = status


class BlockedAddressError(FetchError):
    """The fetch would reach an address the SSRF guard forbids."""
