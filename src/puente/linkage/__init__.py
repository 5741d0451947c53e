"""Record linkage, domain-free (the level of `core`: imports only core and
third-party libraries): reading and preparing records, blocking, plaintext
Fellegi–Sunter with Splink (DuckDB, or Spark past one machine), privacy-preserving
linkage on keyed Bloom filters, decisions and evaluation. It knows nothing of
persons, tenants or agreements; `people` and `exchange` call it."""

from puente.linkage.blocking import (
    CANDIDATE_RULES,
    BlockingRule,
    candidate_pairs,
    choose_rules,
    count_pairs,
)
from puente.linkage.decide import cluster_pairs, clusters, one_to_one
from puente.linkage.evaluate import Evaluation, Mode, evaluate_files, evaluate_records
from puente.linkage.pprl import Encoder, Encoding, EncodingConfig, Hardening, Salt
from puente.linkage.records import (
    FoldRules,
    NameRules,
    RecordSet,
    RecordsInvalid,
    prepare,
    read_records,
    records_from_frame,
)
from puente.linkage.splink_model import (
    Backend,
    Predictions,
    TrainedModel,
    predict,
    train,
)

__all__ = [
    "CANDIDATE_RULES",
    "Backend",
    "BlockingRule",
    "Encoder",
    "Encoding",
    "EncodingConfig",
    "Evaluation",
    "FoldRules",
    "Hardening",
    "Mode",
    "NameRules",
    "Predictions",
    "RecordSet",
    "RecordsInvalid",
    "Salt",
    "TrainedModel",
    "candidate_pairs",
    "choose_rules",
    "cluster_pairs",
    "clusters",
    "count_pairs",
    "evaluate_files",
    "evaluate_records",
    "one_to_one",
    "predict",
    "prepare",
    "read_records",
    "records_from_frame",
    "train",
]
