"""The package version, in a module that imports nothing: the client's User-Agent, the simulator and
the CLI read it without loading the package's front-ends."""

__version__ = "0.1.0"
