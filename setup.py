"""Build hook (everything else is in pyproject.toml): a build with `PLUGIN_DOWNLOAD_URL` set bakes it.

`make plugin PLUGIN_DOWNLOAD_URL=...` (scripts/build_plugin.py pip-installs this checkout, so this
runs) and any wheel built with the variable set write it into the built copy of
plivo_pulumi/native/plugin_url.py (`BUILT_URL`): the plugin's GetSchema then names the URL that
`make sdk PLUGIN_DOWNLOAD_URL=...` put in the SDKs. The source file is never changed. Such a build
uses a build folder of its own, so a stale or concurrent build in ./build never mixes URLs.
Editable installs (`make venv`) keep the release URL, and ignore the variable.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

MODULE = Path("plivo_pulumi") / "native" / "plugin_url.py"
UNSET = "BUILT_URL: str | None = None"


def _plugin_url_module():
    spec = importlib.util.spec_from_file_location("plugin_url", Path(__file__).parent / MODULE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _given_url() -> str:
    return os.environ.get("PLUGIN_DOWNLOAD_URL", "").strip()


class BakePluginURL(build_py):
    """build_py, then BUILT_URL set in the built plugin_url.py when PLUGIN_DOWNLOAD_URL is given."""

    def run(self) -> None:
        super().run()
        if not _given_url() or getattr(self, "editable_mode", False):
            return
        try:
            url = _plugin_url_module().checked(_given_url())
        except ValueError as refused:
            raise SystemExit(str(refused)) from None
        built = Path(self.build_lib) / MODULE
        text = built.read_text()
        if text.count(UNSET) != 1:
            raise SystemExit(f"setup.py: {MODULE} no longer has the line {UNSET!r}; update setup.py")
        built.write_text(text.replace(UNSET, f"BUILT_URL: str | None = {url!r}"))


options = {}
if _given_url():
    build_base = tempfile.mkdtemp(prefix="plivo-build-")
    atexit.register(shutil.rmtree, build_base, ignore_errors=True)
    options["build"] = {"build_base": build_base}

setup(cmdclass={"build_py": BakePluginURL}, options=options)
