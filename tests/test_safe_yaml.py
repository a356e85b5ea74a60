"""YAML bombs and hostile YAML: the bindings loader, the seed parser and the simulator's admin reset
answer in bounded time and memory with a clear error; merge keys keep the explicit key."""

from __future__ import annotations

import time

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plivo_pulumi.core import safe_yaml
from plivo_pulumi.core.fleet_file import BindingsError, load_bindings
from plivo_pulumi.simulator.models import SeedError
from plivo_pulumi.simulator.seed import parse_seed_text


def laughs(levels: int = 9, width: int = 9) -> str:
    """A "billion laughs" document: each level lists the previous one `width` times."""
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * width)}]")
    lines.append(f"numbers: [{', '.join([f'*l{levels - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_the_bomb_is_small_and_would_expand_to_billions():
    assert len(laughs()) < 600
    assert 9**10 > 3_000_000_000


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (laughs(), "expands to more than"),
        ("a: &a [1, *a]\n", "recursive"),
        ("numbers: " + "[" * 5000 + "]" * 5000 + "\n", "nested more than"),
        ("numbers: " + "[" * 300 + "]" * 300 + "\n", "nested more than"),
    ],
    ids=["billion-laughs", "recursive", "very-deep", "deep"],
)
def test_bindings_file_bombs_are_refused_quickly(tmp_path, text, says):
    path = tmp_path / "bindings.yaml"
    path.write_text(text)
    started = time.monotonic()
    with pytest.raises(BindingsError, match=says):
        load_bindings(path)
    with pytest.raises(SeedError, match=says):
        parse_seed_text(text)
    assert time.monotonic() - started < 5


def test_the_simulator_refuses_a_bomb_sent_to_reset(sim_builtin):
    started = time.monotonic()
    answer = requests.post(f"{sim_builtin.admin_url}/reset", data=laughs(), timeout=30)
    assert answer.status_code == 400 and "expands to more than" in answer.json()["error"]
    assert time.monotonic() - started < 5
    assert sim_builtin.state()["numbers"], "the simulator still serves its seed"


def test_merge_keys_keep_the_explicit_key_and_real_repeats_are_reported(tmp_path):
    path = tmp_path / "bindings.yaml"
    path.write_text(
        'defaults: &base {app_id: "111", subaccount: ""}\n'
        "numbers:\n"
        '  - <<: *base\n    number: "15550000001"\n    app_id: "222"\n'
        '  - <<: *base\n    number: "15550000002"\n'
    )
    first, second = load_bindings(path)
    assert (first.app_id, second.app_id) == ("222", "111")
    path.write_text('numbers:\n  - number: "15550000001"\n    app_id: "1"\n    app_id: "2"\n')
    with pytest.raises(BindingsError, match="'app_id' appears twice"):
        load_bindings(path)


def test_large_honest_documents_still_load():
    entries = "\n".join(f'  - {{<<: *d, number: "1555{i:07d}"}}' for i in range(5000))
    data = safe_yaml.load(f'defaults: &d {{app_id: "1"}}\nnumbers:\n{entries}\n')
    assert len(data["numbers"]) == 5000 and data["numbers"][-1]["app_id"] == "1"


yaml_ish = st.text(alphabet=st.sampled_from(list("&*ab:[]{},-\n <>|!'\"#x0\t")), max_size=400)


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_ish)
def test_hostile_yaml_ends_with_data_or_a_clear_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("y") / "bindings.yaml"
    path.write_text(text)
    try:
        load_bindings(path)
    except BindingsError as exc:
        assert str(exc)
    try:
        parse_seed_text(text)
    except SeedError as exc:
        assert str(exc)
