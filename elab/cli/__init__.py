"""The command line: a thin shell over the services; it parses input and prints results."""

__all__: list[str] = []
