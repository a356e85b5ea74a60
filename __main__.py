"""The demo project's program (Pulumi.yaml beside this file): the fleet of examples/fleet."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).parent / "examples" / "fleet" / "__main__.py"), run_name="__main__")
