"""The plugin download URL (plivo_pulumi/native/plugin_url.py): the release URL unless a build sets
another, refused with its fix when the engine could not download from it, and the same in the
schema and in every committed SDK (what `pulumi install` of a user's program fetches from)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from plivo_pulumi import __version__
from plivo_pulumi.native import plugin_url
from plivo_pulumi.native.schema import schema

REPO = Path(__file__).resolve().parents[1]
RELEASE = f"https://github.com/plivo-pulumi/pulumi-plivo/releases/download/v{__version__}/"
sys.path.insert(0, str(REPO / "scripts"))
import gen_sdk  # noqa: E402


def test_the_release_url_unless_a_build_sets_another() -> None:
    assert plugin_url.plugin_download_url() == plugin_url.RELEASE_URL
    assert plugin_url.from_environment({}) == plugin_url.RELEASE_URL
    assert plugin_url.from_environment({"PLUGIN_DOWNLOAD_URL": "  "}) == plugin_url.RELEASE_URL
    mine = "https://downloads.example.com/plivo/v${VERSION}/"
    assert plugin_url.from_environment({"PLUGIN_DOWNLOAD_URL": mine}) == mine
    # The schema carries it with the version written in (`pulumi import` cannot generate code for
    # a URL holding `${VERSION}`); the engine fills in what is left, such as ${OS}.
    assert schema(mine)["pluginDownloadURL"] == f"https://downloads.example.com/plivo/v{__version__}/"
    assert (
        schema("https://x.example.com/${NAME}/${OS}/")["pluginDownloadURL"]
        == "https://x.example.com/plivo/${OS}/"
    )
    assert schema()["pluginDownloadURL"] == RELEASE


@pytest.mark.parametrize(
    "bad", ["downloads.example.com/plivo", "ftp://example.com/x", "https://", "https://x/a b", "'https://x/'"]
)
def test_a_url_the_engine_cannot_use_is_refused_naming_the_variable(bad: str) -> None:
    with pytest.raises(ValueError) as refused:
        plugin_url.from_environment({"PLUGIN_DOWNLOAD_URL": bad})
    message = str(refused.value)
    assert message.startswith(f"PLUGIN_DOWNLOAD_URL={bad!r} is not a plugin download URL")
    assert plugin_url.RELEASE_URL in message  # an example of the fix


def test_make_sdk_refuses_a_bad_url_before_writing_anything(capsys, monkeypatch) -> None:
    monkeypatch.setenv("PLUGIN_DOWNLOAD_URL", "example.com/releases")
    assert gen_sdk.main(["--language", "python"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gen_sdk: PLUGIN_DOWNLOAD_URL='example.com/releases' is not a plugin download URL")
    assert "Traceback" not in err
    assert gen_sdk.main(["--plugin-download-url", "nope"]) == 2
    assert "--plugin-download-url='nope'" in capsys.readouterr().err


def test_committed_sdks_carry_the_release_url() -> None:
    """The release URL with the version written in, in the schema and every SDK."""
    sdk = REPO / "sdk"
    carried = {
        "sdk/schema.json": json.loads((sdk / "schema.json").read_text())["pluginDownloadURL"],
        "python pulumi-plugin.json": json.loads(
            (sdk / "python" / "pulumi_plivo" / "pulumi-plugin.json").read_text()
        )["server"],
        "go pulumi-plugin.json": json.loads((sdk / "go" / "plivo" / "pulumi-plugin.json").read_text())[
            "server"
        ],
        "nodejs package.json": json.loads((sdk / "nodejs" / "package.json").read_text())["pulumi"]["server"],
    }
    assert set(carried.values()) == {RELEASE}, carried


def test_make_plugin_checks_the_url_before_building(capsys, monkeypatch) -> None:
    """`make plugin` runs `python -m plivo_pulumi.native.plugin_url` first: a bad URL stops it at once,
    with the message alone, before a build that would fail deep inside pip."""
    monkeypatch.setenv("PLUGIN_DOWNLOAD_URL", "downloads.example.com/v${VERSION}")
    assert plugin_url.main() == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("make plugin: PLUGIN_DOWNLOAD_URL='downloads.example.com/v${VERSION}'")
    assert "Traceback" not in captured.err
    monkeypatch.setenv("PLUGIN_DOWNLOAD_URL", "https://downloads.example.com/v${VERSION}/")
    assert plugin_url.main() == 0
    assert capsys.readouterr().out == "https://downloads.example.com/v${VERSION}/\n"
