"""Privacy-preserving record linkage: keyed, hardened field-level Bloom filters,
exact-match tokens, compiled Dice, Fellegi–Sunter scoring and decisions."""

from puente.linkage.pprl.encoder import (
    Encoder,
    Encoding,
    EncodingConfig,
    FilterSpec,
    Hardening,
    Salt,
)
from puente.linkage.pprl.kernels import dice_all_to_all, dice_pairs, popcounts
from puente.linkage.pprl.link import EncodedLinkage, link_encodings
from puente.linkage.pprl.model import FSModel

__all__ = [
    "EncodedLinkage",
    "Encoder",
    "Encoding",
    "EncodingConfig",
    "FSModel",
    "FilterSpec",
    "Hardening",
    "Salt",
    "dice_all_to_all",
    "dice_pairs",
    "link_encodings",
    "popcounts",
]
