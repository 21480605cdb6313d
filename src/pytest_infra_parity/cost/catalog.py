"""The offline price catalog: dated, versioned, one YAML file per service family, validated on load.

``cost/prices/catalog.yaml`` names the version, the date, the hours-per-month convention (730, AWS's own)
and the family files; ``sources.yaml`` the sources the families cite by key. Each price of a family has
a description, a unit, the query that finds it in the AWS Price List API (``live``), optionally a free
tier (``free``, applied only when asked) and, per region, ``usd`` with its ``source`` and the source's
date. A region a price has no figure for is either absent or listed under ``missing`` with the reason:
the cost model then lists what needs that price as unpriced, never as zero.

A malformed file or entry raises :class:`CatalogError` naming the file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from pytest_infra_parity.errors import ConfigError

PRICES_DIR = Path(__file__).resolve().parent / "prices"
FORMAT = "pytest-infra-parity/prices"
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


class CatalogError(ConfigError):
    """A price catalog file or entry that cannot be used."""


@dataclass(frozen=True)
class Source:
    """Where a price comes from."""

    key: str
    url: str
    date: str
    """``YYYY-MM-DD`` (or ``YYYY-MM``), or ``undated`` when the source carries no date."""
    title: str = ""


@dataclass(frozen=True)
class RegionPrice:
    """One price in one region, in USD per unit."""

    usd: float
    source: Source
    note: str = ""


@dataclass(frozen=True)
class Free:
    """A monthly free-tier quantity; ``group`` shares it between prices (Lambda x86 and ARM GB-seconds)."""

    quantity: float
    group: str
    source: Source


@dataclass(frozen=True)
class Price:
    """One catalog entry: a billing dimension of a service."""

    id: str
    family: str
    service: str
    description: str
    unit: str
    regions: dict[str, RegionPrice]
    missing: dict[str, str] = field(default_factory=dict)
    live: dict[str, str] = field(default_factory=dict)
    free: Free | None = None

    def in_region(self, region: str) -> RegionPrice | None:
        return self.regions.get(region)

    def why_missing(self, region: str) -> str:
        return self.missing.get(region, f"no {region} figure for {self.id} in the catalog")


@dataclass(frozen=True)
class Catalog:
    """Every price, by id, with the catalog's version and date."""

    version: str
    date: str
    hours_per_month: float
    prices: dict[str, Price]
    services: dict[str, tuple[str, ...]]
    """Service name -> the other words users call it by (``fargate``, ``alb``...)."""
    origin: str = "offline"
    """``offline`` (the shipped files) or a description of a live refresh."""

    def price(self, price_id: str) -> Price:
        try:
            return self.prices[price_id]
        except KeyError:
            raise CatalogError(f"no price {price_id!r} in catalog {self.version}") from None

    def regions(self) -> list[str]:
        return sorted({region for price in self.prices.values() for region in price.regions})

    def with_prices(self, updates: Mapping[str, Mapping[str, RegionPrice]], origin: str) -> Catalog:
        """A copy where ``updates[price_id][region]`` replaces (or adds) figures."""
        prices = dict(self.prices)
        for price_id, regions in updates.items():
            current = prices[price_id]
            prices[price_id] = replace(current, regions={**current.regions, **regions},
                                       missing={r: m for r, m in current.missing.items() if r not in regions})
        return replace(self, prices=prices, origin=origin)


def _fail(path: Path, where: str, message: str) -> CatalogError:
    return CatalogError(f"{where}: {message}", path=path)


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(f"cannot read the price file: {exc.strerror}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CatalogError(f"malformed YAML: {getattr(exc, 'problem', None) or exc}", path=path,
                           line=mark.line + 1 if mark is not None else None) from None
    if not isinstance(data, dict):
        raise CatalogError("a price file must be a mapping", path=path)
    return data


def _text(value: Any, path: Path, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise _fail(path, where, f"must be a non-empty text, got {value!r}")
    return value.strip()


def _sources(path: Path) -> dict[str, Source]:
    data = _read(path)
    found: dict[str, Source] = {}
    for key, entry in (data.get("sources") or {}).items():
        where = f"source {key!r}"
        if not isinstance(entry, dict):
            raise _fail(path, where, "must be a mapping with url, date and title")
        date = str(entry.get("date", "")).strip()
        if date != "undated" and not _DATE.match(date):
            raise _fail(path, where, f"date must be YYYY-MM-DD, YYYY-MM or 'undated', got {entry.get('date')!r}")
        found[key] = Source(key, _text(entry.get("url"), path, f"{where} url"), date,
                            _text(entry.get("title"), path, f"{where} title"))
    return found


def _source(value: Any, sources: Mapping[str, Source], path: Path, where: str, date: Any = None) -> Source:
    text = _text(value, path, f"{where} source")
    if text in sources:
        source = sources[text]
        return replace(source, date=str(date)) if date is not None else source
    if not text.startswith(("https://", "http://")):
        raise _fail(path, where, f"source {text!r} is neither a key of sources.yaml ({', '.join(sorted(sources))}) "
                                 "nor a URL")
    if date is None or (str(date) != "undated" and not _DATE.match(str(date))):
        raise _fail(path, where, f"a URL source needs a date (YYYY-MM-DD or 'undated'), got {date!r}")
    return Source(text, text, str(date))


def _region_price(entry: Any, sources: Mapping[str, Source], path: Path, where: str) -> RegionPrice:
    if not isinstance(entry, dict):
        raise _fail(path, where, "must be a mapping {usd, source[, date, note]}")
    usd = entry.get("usd")
    if isinstance(usd, bool) or not isinstance(usd, int | float) or usd < 0:
        raise _fail(path, where, f"usd must be a number >= 0, got {usd!r}")
    return RegionPrice(float(usd), _source(entry.get("source"), sources, path, where, entry.get("date")),
                       str(entry.get("note") or ""))


def _free(entry: Any, price_id: str, sources: Mapping[str, Source], path: Path) -> Free | None:
    if entry is None:
        return None
    where = f"price {price_id!r} free"
    if not isinstance(entry, dict) or not isinstance(entry.get("quantity"), int | float):
        raise _fail(path, where, "must be a mapping {quantity, source[, group]}")
    return Free(float(entry["quantity"]), str(entry.get("group") or price_id),
                _source(entry.get("source"), sources, path, where))


def _price(price_id: str, entry: Any, family: Mapping[str, Any], sources: Mapping[str, Source],
           path: Path) -> Price:
    where = f"price {price_id!r}"
    if not isinstance(entry, dict):
        raise _fail(path, where, "must be a mapping")
    regions = entry.get("regions")
    if not isinstance(regions, dict) or not regions:
        raise _fail(path, where, "needs 'regions': a mapping region -> {usd, source}")
    live = entry.get("live") or {}
    if not isinstance(live, dict) or not {"service_code", "usagetype"} <= set(live):
        raise _fail(path, where, "'live' must give service_code and usagetype (the Price List API query)")
    missing = entry.get("missing") or {}
    if not isinstance(missing, dict):
        raise _fail(path, where, "'missing' must map a region to the reason it has no figure")
    return Price(
        id=price_id, family=str(family["family"]),
        service=_text(entry.get("service") or family.get("service"), path, f"{where} service"),
        description=_text(entry.get("description"), path, f"{where} description"),
        unit=_text(entry.get("unit"), path, f"{where} unit"),
        regions={str(r): _region_price(v, sources, path, f"{where} region {r}") for r, v in regions.items()},
        missing={str(r): str(v) for r, v in missing.items()},
        live={str(k): str(v) for k, v in live.items()},
        free=_free(entry.get("free"), price_id, sources, path),
    )


def _family(path: Path, version: str, sources: Mapping[str, Source]) -> tuple[list[Price], dict[str, tuple[str, ...]]]:
    data = _read(path)
    if str(data.get("version")) != version:
        raise _fail(path, "version", f"is {data.get('version')!r}, the catalog is {version!r}")
    _text(data.get("family"), path, "family")
    prices = data.get("prices")
    if not isinstance(prices, dict) or not prices:
        raise _fail(path, "prices", "must be a non-empty mapping of price ids")
    found = [_price(str(pid), entry, data, sources, path) for pid, entry in prices.items()]
    aliases = tuple(str(a).lower() for a in data.get("aliases") or ())
    services = {p.service: aliases if p.service == data.get("service") else () for p in found}
    return found, services


def load_catalog(folder: Path | None = None) -> Catalog:
    """The catalog of ``folder`` (default: the shipped ``cost/prices``); CatalogError names what is wrong."""
    folder = folder or PRICES_DIR
    index_path = folder / "catalog.yaml"
    index = _read(index_path)
    if index.get("format") != FORMAT:
        raise _fail(index_path, "format", f"must be {FORMAT!r}")
    version = _text(index.get("version"), index_path, "version")
    hours = index.get("hours_per_month")
    if not isinstance(hours, int | float) or hours <= 0:
        raise _fail(index_path, "hours_per_month", f"must be a positive number, got {hours!r}")
    sources = _sources(folder / "sources.yaml")
    prices: dict[str, Price] = {}
    services: dict[str, tuple[str, ...]] = {}
    for name in index.get("families") or ():
        family_prices, family_services = _family(folder / f"{name}.yaml", version, sources)
        for price in family_prices:
            if price.id in prices:
                raise _fail(folder / f"{name}.yaml", f"price {price.id!r}", "is defined twice")
            prices[price.id] = price
        for service, aliases in family_services.items():
            services[service] = tuple(dict.fromkeys((*services.get(service, ()), *aliases)))
    return Catalog(version, str(index.get("date")), float(hours), prices, services)


def service_matches(catalog: Catalog, service: str, word: str) -> bool:
    """True when ``word`` names ``service``: its name or an alias, case-insensitive."""
    wanted = " ".join(word.lower().split())
    return wanted == service.lower() or wanted in catalog.services.get(service, ())


def known_services(catalog: Catalog, extra: Iterable[str] = ()) -> list[str]:
    return sorted({*catalog.services, *extra})
