"""The one exception type the package raises for problems a user can fix."""


class AnalysisError(Exception):
    """Bad input (missing column, empty file, malformed codebook...).

    The message is a single line naming the problem, so the CLI can print it as
    ``error: <message>`` without a traceback.
    """
