"""The ``encryption`` aspect: encryption mode at rest, and for KMS modes which key.

Modes (inventory model): none, service-managed (SSE-S3, SQS-managed SSE, DynamoDB's AWS owned key),
aws-managed (``alias/aws/<service>``), customer-managed (a key the account manages). Per the AWS KMS
Developer Guide ("AWS KMS keys": customer managed keys, AWS managed keys, AWS owned keys) these are
different things, so a mode mismatch is a difference. The customer-managed key is compared by
identity, not by spelling: each side's reference is resolved to a key of its own inventory and the
two keys must be a matched pair (:meth:`.base.Context.compare_reference`).

The key reference is, in order: ``encryption.key``; ``settings["key_ref"]`` (the name of the key
resource of the same source, when the key value is only known after apply); and when a source gives
neither (``None``: "a key this deployment creates", inventory ``encryption`` module), the only key of
that inventory if it has exactly one. ``UNKNOWN`` is never guessed: it stays unknown.
"""

from __future__ import annotations

from typing import Final

from pytest_infra_parity.inventory.model import Encryption, Resource, is_unknown
from pytest_infra_parity.parity.aspects.base import Context
from pytest_infra_parity.parity.report import PairResult

_KEY_KINDS: Final = frozenset({"key"})
_KEY_REF_SETTINGS: Final = ("key_ref", "kms_key_ref")


def compare_encryption(context: Context, pair: PairResult) -> None:
    """Mode, then key (customer-managed) or AWS managed alias (aws-managed)."""
    enc_a, enc_b = pair.a.encryption, pair.b.encryption
    if enc_a is None and enc_b is None:
        return
    if enc_a is None or enc_b is None:
        _one_side_silent(context, pair, enc_a, enc_b)
        return
    if enc_a.mode == "unknown" or enc_b.mode == "unknown":
        pair.unknown("encryption", "mode", enc_a.mode, enc_b.mode, "the encryption mode is known only after apply")
        return
    if enc_a.mode != enc_b.mode:
        pair.differ("encryption", "mode", _mode_text(enc_a), _mode_text(enc_b))
        return
    if enc_a.mode == "customer-managed":
        context.compare_reference(pair, "encryption", "key", _key_ref(pair.a, enc_a), _key_ref(pair.b, enc_b),
                                  _KEY_KINDS, sole=True)
    elif enc_a.mode == "aws-managed":
        alias_a, alias_b = _aws_alias(enc_a), _aws_alias(enc_b)
        if alias_a and alias_b and alias_a != alias_b:
            pair.differ("encryption", "key", alias_a, alias_b)


def _one_side_silent(context: Context, pair: PairResult, enc_a: Encryption | None, enc_b: Encryption | None) -> None:
    """One source describes no encryption for the resource: only "not encrypted" agrees with that."""
    present = enc_a or enc_b
    assert present is not None
    if present.mode == "none":
        return
    label = context.labels[0] if enc_a is None else context.labels[1]
    pair.unknown("encryption", "mode", _mode_text(enc_a) if enc_a else None, _mode_text(enc_b) if enc_b else None,
                 f"{label} does not describe this resource's encryption")


def _key_ref(resource: Resource, encryption: Encryption) -> object:
    """The key as the source gives it, else the name of the key resource it refers to (``key_ref``)."""
    if encryption.key is not None:
        return encryption.key
    return next((resource.settings[s] for s in _KEY_REF_SETTINGS if resource.settings.get(s) is not None), None)


def _mode_text(encryption: Encryption) -> str:
    return encryption.mode


def _aws_alias(encryption: Encryption) -> str | None:
    key = encryption.key
    if not isinstance(key, str) or is_unknown(key) or "alias/aws/" not in key:
        return None
    return key[key.index("alias/aws/"):]
