"""Normalized resource names, so one resource matches across CloudFormation, Terraform, Pulumi and live.

The rules, applied in this order (the reference is in docs/parity.md):

1. **Identity spelling** (:func:`.identity.naming_part`): an ARN, a queue URL, a Pulumi URN, a
   Terraform address, a ``/aws/lambda/`` log-group path or a KMS ``alias/`` is reduced to the part
   carrying the chosen name. UUID-like generated ids carry no name (normalize to ``""``).
2. **Placeholders, account ids and Regions** are removed: ``${var.stage}``, ``${AWS::AccountId}``,
   ``{{resolve:...}}``, 12-digit account ids and Region codes (``us-east-1``).
3. **Words** are the pieces between separators (anything not a letter or digit).
4. **Random suffixes** (last word only, case-sensitive), as each tool generates them:
   CloudFormation ``<stack>-<LogicalId>-<12 or 13 letters/digits>`` (CloudFormation User Guide,
   "Name type": ``MyStack-MyBucket-abcdefghijk1``; the logical id alone is kept), CDK logical-id
   hashes (``MyQueueE6CA6235``: 8 upper hex), Pulumi auto-names (``<name>-<7 or 8 hex>``, Pulumi docs
   "Resource names and identity", "Autonaming"), SST v3 ``physicalName`` (``<app>-<stage>-<Name>-<8
   characters of abcdefhkmnorstuvwxz>``, sst/sst platform/src/components/naming.ts) and any lower or
   upper hex run of 8+ characters that has a digit.
5. **Tokens**: words are split at CamelCase boundaries (``ProcessingDLQ`` -> processing, dlq) and at
   letter/digit boundaries, then lowercased; ``dead letter queue`` and ``deadletter`` become ``dlq``.
6. **Project and stage**, as prefixes and suffixes, repeatedly: the project given explicitly (its
   tokens joined: ``photo-editor`` == ``photoeditor``) or inferred from the inventory's names
   (:func:`infer_prefix`), and stage words (dev, staging, stage, prod, production, test, qa, uat,
   preview, sandbox...), also numbered (``pr-123``, ``pr123``, ``qa2``, ``dev-3``).
7. **Kind words**, as suffixes then prefixes: ``queue``/``sqs`` for a queue, ``table`` for a table,
   ``function``/``lambda`` for a function, ``log``/``group`` (and function words) for a log group...
   A name that was nothing but kind words (``Key``, ``module.kms.aws_kms_key.this``) becomes the
   kind itself.

The match key is the tokens joined without separators, so ``processing-dlq``, ``processing_dlq``
and ``ProcessingDlq`` are one key; :func:`normalize_name` shows them joined with ``-``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from pytest_infra_parity.parity.identity import is_generated_id, naming_part

DEFAULT_STAGES: Final = frozenset({
    "dev", "develop", "development", "staging", "stage", "stg", "prod", "production", "prd", "test",
    "testing", "qa", "uat", "preview", "sandbox", "sbx", "demo", "local", "preprod", "nonprod", "int",
    "integration",
})
_NUMBERED_STAGE: Final = re.compile(r"^(?:pr|mr|preview|pull)\d+$")
_NUMBERED_STAGE_WORDS: Final = frozenset({"pr", "mr", "preview", "pull"})

_PLACEHOLDER: Final = re.compile(r"\$\{[^}]*\}|\{\{[^}]*\}\}|<[^>]*>")
_REGION: Final = re.compile(
    r"(?<![a-z0-9])(?:us|eu|ap|sa|ca|me|af|il|mx|cn)(?:-gov|-iso|-isob)?-"
    r"(?:north|south|east|west|central|northeast|northwest|southeast|southwest)-\d(?![a-z0-9])",
    re.IGNORECASE,
)
_ACCOUNT: Final = re.compile(r"(?<![A-Za-z0-9])\d{12}(?![A-Za-z0-9])")
_HAS_DIGIT: Final = re.compile(r"[0-9]")
_WORD_SPLIT: Final = re.compile(r"[^A-Za-z0-9]+")
_TOKEN: Final = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z]*|[a-z]+|[0-9]+")

_CFN_SUFFIX: Final = re.compile(r"^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9]{12,13}$|^[A-Z]{12,13}$")
_CDK_HASH: Final = re.compile(r"^(.*[a-z0-9])(?=[0-9A-F]{0,7}[0-9])[0-9A-F]{8}$")
_UPPER_HEX: Final = frozenset("0123456789ABCDEF")
_HEX_SUFFIX: Final = re.compile(r"^(?=.*[0-9])(?:[0-9a-f]{7,}|[0-9A-F]{8,})$")
_SST_SUFFIX: Final = re.compile(r"^[abcdefhkmnorstuvwxz]{8}$")

_SYNONYMS: Final[tuple[tuple[tuple[str, ...], str], ...]] = (
    (("dead", "letter", "queue"), "dlq"),
    (("dead", "letter"), "dlq"),
    (("deadletterqueue",), "dlq"),
    (("deadletter",), "dlq"),
)

KIND_WORDS: Final[dict[str, frozenset[str]]] = {
    "bucket": frozenset({"bucket", "s3"}),
    "table": frozenset({"table", "ddb", "dynamodb", "dynamo"}),
    "queue": frozenset({"queue", "sqs"}),
    "topic": frozenset({"topic", "sns"}),
    "key": frozenset({"key", "kms", "cmk"}),
    "key alias": frozenset({"key", "alias", "kms", "cmk"}),
    "function": frozenset({"function", "fn", "func", "lambda"}),
    "log group": frozenset({"log", "logs", "group", "loggroup", "function", "fn", "lambda"}),
    "alarm": frozenset({"alarm", "alarms", "cw", "cloudwatch"}),
    "http api": frozenset({"http", "api", "httpapi", "apigw", "gateway"}),
    "role": frozenset({"role", "iam"}),
    "secret": frozenset({"secret"}),
    "parameter": frozenset({"parameter", "param", "ssm"}),
    "service": frozenset({"service", "svc", "ecs"}),
    "cluster": frozenset({"cluster", "ecs"}),
    "load balancer": frozenset({"load", "balancer", "alb", "lb", "elb", "nlb"}),
    "target group": frozenset({"target", "group", "tg"}),
    "bucket policy": frozenset({"bucket", "policy", "s3"}),
    "queue policy": frozenset({"queue", "policy", "sqs"}),
    "topic policy": frozenset({"topic", "policy", "sns"}),
    "subscription": frozenset({"subscription", "sub"}),
    "api route": frozenset({"route", "api", "http"}),
    "api integration": frozenset({"integration", "api", "http"}),
    "api stage": frozenset({"api", "http"}),
    "function permission": frozenset({"permission", "invoke", "allow", "lambda", "function", "fn"}),
    "event source mapping": frozenset({"event", "source", "mapping", "esm", "trigger"}),
    "alias": frozenset({"alias", "lambda", "function"}),
    "scalable target": frozenset({"scalable", "target", "scaling", "autoscaling"}),
    "scaling policy": frozenset({"scaling", "policy", "autoscaling"}),
}
"""Words that only repeat the kind; stripped so ``JobsTable`` and ``photoeditor-dev-jobs`` meet."""


@dataclass(frozen=True)
class NameRules:
    """What :func:`normalize_tokens` strips besides random suffixes: project, stages, inferred prefixes."""

    project: tuple[str, ...] = ()
    """Project keys (lowercase letters and digits, separators removed)."""
    stages: frozenset[str] = DEFAULT_STAGES
    prefixes: tuple[str, ...] = field(default=())
    """Inferred common prefixes (keys, like ``project``), see :func:`infer_prefix`."""

    def strippable(self) -> frozenset[str]:
        return frozenset(self.project) | frozenset(self.prefixes) | self.stages


def _key_of(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def rules_for(project: str | Iterable[str] | None = None, *, stages: Iterable[str] | None = None,
              prefixes: Iterable[str] = ()) -> NameRules:
    """Rules for an explicit project (one name or several) and optional extra stage words."""
    projects = [project] if isinstance(project, str) else list(project or ())
    stage_words = DEFAULT_STAGES | frozenset(s.lower() for s in stages or ())
    return NameRules(project=tuple(k for p in projects if (k := _key_of(p))), stages=stage_words,
                     prefixes=tuple(k for p in prefixes if (k := _key_of(p))))


@lru_cache(maxsize=65536)
def words_of(raw: str) -> tuple[str, ...]:
    """Rules 1-4: the words of an identifier, random suffixes removed, case kept."""
    text = naming_part(raw)
    if not text or is_generated_id(text):
        return ()
    if "$" in text or "{" in text or "<" in text:
        text = _PLACEHOLDER.sub("-", text)
    if _HAS_DIGIT.search(text):
        text = _ACCOUNT.sub("-", _REGION.sub("-", text))
    words = [w for w in _WORD_SPLIT.split(text) if w]
    return tuple(_strip_random(words))


def _strip_random(words: list[str]) -> list[str]:
    if len(words) >= 2:
        last = words[-1]
        if _CFN_SUFFIX.match(last) and not _looks_like_word(last):
            # <stack name>-<LogicalId>-<random>: the logical id is the chosen name.
            return [words[-2]]
        if _HEX_SUFFIX.match(last) or (_SST_SUFFIX.match(last) and any(c.isupper() for c in words[-2])):
            words = words[:-1]
    if words and len(words[-1]) > 8 and words[-1][-1] in _UPPER_HEX:
        cdk = _CDK_HASH.match(words[-1])
        if cdk is not None and any(c.islower() for c in cdk.group(1)):
            words[-1] = cdk.group(1)
    return words


def _looks_like_word(word: str) -> bool:
    """A CamelCase word (``ProcessingJobs``) is a name, not a generated suffix."""
    return bool(re.fullmatch(r"(?:[A-Z][a-z]+)+[0-9]?", word))


@lru_cache(maxsize=65536)
def _tokens_of_words(words: tuple[str, ...]) -> tuple[str, ...]:
    tokens = [t.lower() for w in words for t in _TOKEN.findall(w)]
    return tuple(_apply_synonyms(tokens))


def _apply_synonyms(tokens: list[str]) -> list[str]:
    if not any(t.startswith("dead") for t in tokens):
        return tokens
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for pattern, replacement in _SYNONYMS:
            if tuple(tokens[i:i + len(pattern)]) == pattern:
                out.append(replacement)
                i += len(pattern)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


@dataclass(frozen=True)
class _Strippable:
    """The strippable keys, and every prefix and suffix of them (to stop scanning early)."""

    keys: frozenset[str]
    heads: frozenset[str]
    tails: frozenset[str]
    stages: frozenset[str]


@lru_cache(maxsize=64)
def _strippable(rules: NameRules) -> _Strippable:
    keys = rules.strippable()
    heads = frozenset(k[:i] for k in keys for i in range(1, len(k) + 1))
    tails = frozenset(k[-i:] for k in keys for i in range(1, len(k) + 1))
    return _Strippable(keys, heads, tails, rules.stages)


def _end_match(tokens: list[str], strip: _Strippable, start: bool) -> int:
    """How many tokens at the start (or end) form a project, prefix or stage word (longest wins)."""
    count = len(tokens)
    if count >= 2:
        first, second = (tokens[0], tokens[1]) if start else (tokens[-2], tokens[-1])
        if second.isdigit() and (first in _NUMBERED_STAGE_WORDS or first in strip.stages):
            return 2
    found, joined = 0, ""
    partial = strip.heads if start else strip.tails
    for k in range(1, count + 1):
        token = tokens[k - 1] if start else tokens[count - k]
        joined = joined + token if start else token + joined
        if joined not in partial:
            break
        if joined in strip.keys:
            found = k
    return found


def _strip_ends(tokens: list[str], rules: NameRules) -> list[str]:
    """Rule 6: project, inferred prefixes and stages at either end, until none is left there."""
    strip = _strippable(rules)
    while tokens:
        head = _end_match(tokens, strip, start=True)
        if head:
            tokens = tokens[head:]
        tail = _end_match(tokens, strip, start=False) if tokens else 0
        if tail:
            tokens = tokens[:-tail]
        if not head and not tail:
            break
    return tokens


def _strip_kind_words(tokens: list[str], kind: str | None) -> list[str]:
    """Rule 7: kind words at the end, then at the start; only kind words -> the kind itself."""
    words = KIND_WORDS.get(kind or "")
    if not words or not tokens:
        return tokens
    if all(t in words for t in tokens):
        return [_key_of(kind or "")]
    while len(tokens) > 1 and tokens[-1] in words:
        tokens = tokens[:-1]
    while len(tokens) > 1 and tokens[0] in words:
        tokens = tokens[1:]
    return tokens


def normalize_tokens(raw: str, rules: NameRules = NameRules(), kind: str | None = None) -> tuple[str, ...]:
    """All the rules: the normalized tokens of ``raw`` (empty when it carries no name)."""
    original = _tokens_of_words(words_of(raw))
    if not original:
        return ()
    tokens = _strip_ends(list(original), rules)
    if not tokens:
        # The name was only project and stage: the kind says what it is, else keep the last word.
        return (_key_of(kind),) if kind else original[-1:]
    return tuple(_strip_kind_words(tokens, kind))


def normalize_name(raw: str, *, project: str | Iterable[str] | None = None, kind: str | None = None,
                   stages: Iterable[str] | None = None) -> str:
    """The normalized name, tokens joined with ``-`` (``photoeditor-dev-processing-dlq`` -> ``processing-dlq``)."""
    return "-".join(normalize_tokens(raw, rules_for(project, stages=stages), kind))


def match_key(raw: str, rules: NameRules = NameRules(), kind: str | None = None) -> str:
    """The key names are matched by: the normalized tokens joined without separators."""
    return "".join(normalize_tokens(raw, rules, kind))


def infer_prefix(names: Iterable[str], stages: frozenset[str] = DEFAULT_STAGES) -> str:
    """The common prefix of an inventory's names (rule 6), joined with ``-``; ``""`` when there is none.

    The words before the first stage word, shared by at least half of the names (``photoeditor`` in
    ``photoeditor-dev-processing``, ``photoeditor-dev-jobs``; ``ipp-photoeditor`` in
    ``ipp-photoeditor-dev-...``; with the stage first, ``dev-photoeditor-...``, the word after it);
    without stage words, a first word shared by at least 80% of four or more names (``acme-``).
    """
    heads: Counter[tuple[str, ...]] = Counter()
    firsts: Counter[str] = Counter()
    total = 0
    for name in names:
        words = [w.lower() for w in words_of(name)]
        if len(words) < 2:
            continue
        total += 1
        firsts[words[0]] += 1
        head = _head_before_stage(words, stages)
        if head:
            heads[head] += 1
    if total < 2:
        return ""
    if heads:
        head, count = heads.most_common(1)[0]
        if count * 2 >= total:
            return "-".join(head)
    if firsts and total >= 4:
        first, count = firsts.most_common(1)[0]
        if count * 5 >= total * 4 and first not in stages:
            return first
    return ""


def _head_before_stage(words: list[str], stages: frozenset[str]) -> tuple[str, ...]:
    for i, word in enumerate(words[:4]):
        if word in stages or _NUMBERED_STAGE.match(word):
            if i == 0:
                return tuple(words[1:2]) if len(words) > 2 else ()
            return tuple(words[:i]) if i < len(words) - 1 else ()
    return ()
