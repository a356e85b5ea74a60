"""Where the engine downloads the `plivo` plugin from: the schema's `pluginDownloadURL`.

The generated SDKs carry it (Python and Go in `pulumi-plugin.json`, Node.js in package.json and
`utilities.ts`), so `pulumi install` and `pulumi up` fetch a missing plugin from there:
`<url>/pulumi-resource-plivo-v<version>-<os>-<arch>.tar.gz`, the name `make plugin` writes.

The engine (v3.274.1) replaces `${NAME}`, `${VERSION}`, `${OS}` and `${ARCH}` in the URL when it
downloads, but `pulumi import` writes the URL into the HCL it generates code from without escaping
it, where `${VERSION}` reads as a template: code generation fails ("invalid download URL for
package"). So the schema carries the URL with `${VERSION}` and `${NAME}` already filled in
(`filled_in`): the SDK of a version only ever asks for the plugin of that version.

It is fixed at build time (docs/native-provider-install.md, "Releasing"):
- `make sdk PLUGIN_DOWNLOAD_URL=...` generates SDKs that carry another URL (scripts/gen_sdk.py);
- `make plugin PLUGIN_DOWNLOAD_URL=...` (or any non-editable build of this package with the variable
  set) writes it into the built copy of this module (`BUILT_URL`, by setup.py), so the plugin's
  GetSchema names the URL its SDKs carry.
This module imports nothing of the package: setup.py loads it by path in the build environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from urllib.parse import urlsplit

ENV_VAR = "PLUGIN_DOWNLOAD_URL"
# The project's GitHub releases (the repository of the Go SDK's module path): tag v<version>, with
# the plugin archive of each platform attached to the release.
RELEASE_URL = "https://github.com/plivo-pulumi/pulumi-plivo/releases/download/v${VERSION}/"
# The schemes the engine downloads plugins from (sdk/go/common/workspace/plugins.go, newPluginSource).
SCHEMES = ("https", "http", "github", "gitlab", "git")

BUILT_URL: str | None = None  # a build with PLUGIN_DOWNLOAD_URL set writes its value here


def checked(url: str, origin: str = ENV_VAR) -> str:
    """`url` if the engine can download from it; otherwise a ValueError naming `origin` and the fix."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.netloc or any(c.isspace() or c in "'\"" for c in url):
        raise ValueError(
            f"{origin}={url!r} is not a plugin download URL: give an {' / '.join(SCHEMES[:2])} URL of "
            f"the folder holding pulumi-resource-plivo-v<version>-<os>-<arch>.tar.gz (no quotes or "
            f"spaces; ${{VERSION}}, ${{OS}}, ${{ARCH}} are filled in by the engine), e.g. {RELEASE_URL}"
        )
    return url


def filled_in(url: str, version: str) -> str:
    """`url` with the placeholders known at build time replaced as the engine would (no `v` prefix)."""
    return url.replace("${VERSION}", version).replace("${NAME}", "plivo")


def plugin_download_url() -> str:
    """The URL this copy of the package was built with: the release URL unless a build set another."""
    return BUILT_URL or RELEASE_URL


def from_environment(environ: Mapping[str, str]) -> str:
    """The build-time URL: `PLUGIN_DOWNLOAD_URL` if set (checked), else this copy's own."""
    given = environ.get(ENV_VAR, "").strip()
    return checked(given) if given else plugin_download_url()


def main() -> int:
    """`python -m plivo_pulumi.native.plugin_url`: prints the build-time URL, or refuses a bad
    `PLUGIN_DOWNLOAD_URL` (exit 2) before `make plugin` spends a build on it."""
    try:
        print(from_environment(os.environ))
    except ValueError as refused:
        print(f"make plugin: {refused}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
