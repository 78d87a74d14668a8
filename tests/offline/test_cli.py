"""`listing-guard scan` and `rules check` as a user runs them: outputs, summaries, exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson

REPO = Path(__file__).resolve().parents[2]


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "offline.cli", *args], cwd=REPO, capture_output=True, text=True
    )


def test_scan_writes_candidates_and_dead_letters(contract_examples: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    events.write_bytes(
        (contract_examples / "listing-events.jsonl").read_bytes()
        + (contract_examples / "invalid-events.jsonl").read_bytes()
        + (contract_examples / "outcomes.jsonl").read_bytes()
    )
    out, dead = tmp_path / "candidates.jsonl", tmp_path / "dead.jsonl"
    result = cli(
        "scan",
        str(events),
        "--out",
        str(out),
        "--dead-letters",
        str(dead),
        "--registry",
        str(contract_examples / "brand-registry.yaml"),
    )
    assert result.returncode == 0, result.stderr
    flagged = {orjson.loads(line)["listing_id"] for line in out.read_bytes().splitlines()}
    assert flagged == {"L-1001", "L-1003", "L-1004"}
    letters = [orjson.loads(line) for line in dead.read_bytes().splitlines()]
    assert [letter["source_offset"] for letter in letters] == [8, 9, 10, 11]  # file line numbers
    assert "3 candidates, 4 dead letters" in result.stdout
    assert "2 outcomes" in result.stdout


def test_scan_refuses_a_bad_registry_naming_the_line(
    contract_examples: Path, tmp_path: Path
) -> None:
    registry = tmp_path / "registry.yaml"
    text = (contract_examples / "brand-registry.yaml").read_text()
    registry.write_text(text.replace("shoes: 550", "shoes: -550"))
    bad_line = next(
        i for i, line in enumerate(registry.read_text().splitlines(), 1) if "-550" in line
    )
    result = cli(
        "scan",
        str(contract_examples / "listing-events.jsonl"),
        "--out",
        str(tmp_path / "c.jsonl"),
        "--registry",
        str(registry),
    )
    assert result.returncode == 2
    assert f"{registry}:{bad_line}:" in result.stderr


def test_scan_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("scan", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "c.jsonl"))
    assert result.returncode == 2 and "no such file" in result.stderr


def test_rules_check_accepts_the_default_and_names_a_bad_line(tmp_path: Path) -> None:
    default = REPO / "detection" / "data" / "ruleset.yaml"
    ok = cli("rules", "check", str(default))
    assert ok.returncode == 0 and "ok, version rs-" in ok.stdout
    lines = default.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("weight:"))
    lines[index] = lines[index].split("weight:")[0] + "weight: 1.7"
    broken = tmp_path / "rules.yaml"
    broken.write_text("\n".join(lines) + "\n")
    bad = cli("rules", "check", str(broken))
    assert bad.returncode == 2 and f"{broken}:{index + 1}:" in bad.stderr
