"""Load the programme's reference data from the files in fixtures/ (never retyped).

Idempotent: rows are matched by their natural keys and updated, so running it again after a
fixture changes brings the database up to date without duplicating anything.
"""

import csv
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from core.text import clean_text

from .models import (
    ActivityType,
    ActivityVariant,
    AdministrativeUnit,
    BeneficiaryCategory,
    CapUnit,
    ContentArea,
    DecisionIssuer,
    FundingSource,
    Indicator,
    Programme,
    ReportingUnit,
    SupportRule,
    Target,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DECISION_FILE = "decision-1966-QD-UBND-2025.txt"
PROGRAMME_CODE = "hung-yen-2026-2030"

_ROMAN = re.compile(r"^(I|II|III|IV|V|VI|VII)\.\s")
_NUMBERED = re.compile(r"^(\d)\.\s+(.*)$")
_LETTERED = re.compile(r"(?:^|\s)([a-zđ])\)\s+")


@dataclass
class Decision:
    number: str = ""
    date: datetime.date | None = None
    issuer: str = ""
    signer: str = ""
    name: str = ""
    start_year: int = 0
    end_year: int = 0
    general_objectives: list[str] = field(default_factory=list)
    specific_objectives: list[str] = field(default_factory=list)
    beneficiaries: list[tuple[str, str]] = field(default_factory=list)
    # number -> (heading, {letter: wording})
    content_areas: dict[int, tuple[str, dict[str, str]]] = field(default_factory=dict)
    text: str = ""


def _read_csv(name):
    with open(FIXTURES / name, encoding="utf-8-sig", newline="") as fh:
        return [{k: clean_text(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def _split_lettered(text):
    """'a) one b) two' → [('a', 'one'), ('b', 'two')]: the page sometimes runs two items together."""
    parts = _LETTERED.split(text)
    return [(parts[i], clean_text(parts[i + 1]).rstrip(".") + ".") for i in range(1, len(parts) - 1, 2)]


def _sections(lines):
    """Split the programme body into its Roman-numbered sections."""
    sections, current = {}, None
    for line in lines:
        m = _ROMAN.match(line)
        if m:
            current = m.group(1)
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def parse_decision(text):
    """Read the published page of the decision. Its header block appears twice and its last lines are
    page debris, so only the metadata table and the last copy of the programme body are used."""
    decision = Decision(text=text)
    meta = dict(re.findall(r"^\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|$", text, flags=re.M))
    decision.number = meta.get("Số hiệu", "")
    day, month, year = (int(part) for part in meta["Ngày ban hành"].split("/"))
    decision.date = datetime.date(year, month, day)
    decision.signer = meta.get("Người ký", "")
    issuer = meta.get("Cơ quan ban hành", "")
    decision.issuer = (
        issuer.replace("Tỉnh", "Ủy ban nhân dân tỉnh", 1) if issuer.startswith("Tỉnh") else issuer
    )
    title = text.splitlines()[0]
    m = re.search(r"(Chương trình khuyến công .*?(\d{4})-(\d{4}))", title)
    decision.name, decision.start_year, decision.end_year = m.group(1), int(m.group(2)), int(m.group(3))

    body = text[text.rindex("\nI. MỤC TIÊU") + 1 :]
    lines = [clean_text(line) for line in body.splitlines() if clean_text(line)]
    sections = _sections(lines)

    part = None
    for line in sections["I"]:
        if line.startswith("1."):
            part = decision.general_objectives
        elif line.startswith("2."):
            part = decision.specific_objectives
        elif part is not None:
            part.extend(t for _l, t in _split_lettered(line))

    in_beneficiaries = False
    for line in sections["II"]:
        if line.startswith("2."):
            in_beneficiaries = True
        elif in_beneficiaries:
            decision.beneficiaries.extend(_split_lettered(line))

    number = None
    for line in sections["III"]:
        m = _NUMBERED.match(line)
        if m:
            number = int(m.group(1))
            decision.content_areas[number] = (m.group(2).rstrip("."), {})
        elif number:
            for letter, wording in _split_lettered(line):
                decision.content_areas[number][1][letter] = wording
    return decision


def _parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


def _parse_variants(value):
    """'new_tech: Công nghệ mới | existing: Cơ sở…' → [('new_tech', 'Công nghệ mới'), …]."""
    pairs = []
    for chunk in value.split("|"):
        key, _sep, label = chunk.partition(":")
        label = clean_text(label).strip("()") or clean_text(key)
        pairs.append((clean_text(key), label))
    return pairs


@transaction.atomic
def load_reference(log=print):
    decision = parse_decision((FIXTURES / DECISION_FILE).read_text(encoding="utf-8"))
    programme = _load_programme(decision)
    _load_targets(programme, decision)
    _load_beneficiary_categories(decision)
    _load_funding_sources()
    _load_decision_issuers()
    _load_catalogue(programme, decision)
    _load_communes()
    _load_reporting_units()
    _load_support_rules(programme, statuses=("national", "superseded"))
    _load_indicators()
    log(
        f"Reference data: programme {programme.decision_number}, {programme.targets.count()} targets, "
        f"{programme.content_areas.count()} content areas, {programme.activity_types.count()} activities, "
        f"{AdministrativeUnit.objects.count()} communes, {SupportRule.objects.count()} support rules, "
        f"{Indicator.objects.count()} unit-report indicators."
    )
    return programme


def _load_programme(decision):
    Programme.objects.exclude(code=PROGRAMME_CODE).filter(is_current=True).update(is_current=False)
    programme, _created = Programme.objects.update_or_create(
        code=PROGRAMME_CODE,
        defaults={
            "name": decision.name,
            "decision_number": decision.number,
            "decision_date": decision.date,
            "issuer": decision.issuer,
            "signer": decision.signer,
            "start_year": decision.start_year,
            "end_year": decision.end_year,
            "objectives": "\n".join(decision.general_objectives),
            "specific_objectives": "\n".join(decision.specific_objectives),
            "is_current": True,
        },
    )
    return programme


def _load_targets(programme, decision):
    folded_text = clean_text(decision.text)
    for order, row in enumerate(_read_csv("targets.csv"), start=1):
        # The value must be the decision's own: its phrase is in the text and carries the number.
        if row["evidence"] not in folded_text or not re.search(
            rf"\b0*{row['target_value']}\b", row["evidence"]
        ):
            raise ValueError(f"Target {row['code']}: '{row['evidence']}' is not in the decision.")
        Target.objects.update_or_create(
            programme=programme,
            code=row["code"],
            defaults={
                "name": row["name"],
                "unit": row["unit"],
                "target_value": int(row["target_value"]),
                "basis": row["basis"],
                "measure": row["measure"],
                "source_section": row["source_section"],
                "sort_order": order,
            },
        )


# The seed of BeneficiaryCategory.direct_support: "đ) others concerned" take part in the
# programme without receiving its money (QĐ 1966/QĐ-UBND mục II.2). Set on creation only: staff
# edit the flag in the admin and a reload keeps their choice.
NO_DIRECT_SUPPORT = frozenset({"đ"})


def _load_beneficiary_categories(decision):
    for order, (code, label) in enumerate(decision.beneficiaries, start=1):
        BeneficiaryCategory.objects.update_or_create(
            code=code,
            defaults={"label": label, "sort_order": order},
            create_defaults={
                "label": label,
                "sort_order": order,
                "direct_support": code not in NO_DIRECT_SUPPORT,
            },
        )


def _load_funding_sources():
    for row in _read_csv("funding-sources.csv"):
        FundingSource.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "is_state_support": row["is_state_support"] == "1",
                "can_lead": row["can_lead"] == "1",
                "sort_order": int(row["sort_order"]),
            },
        )


def _load_decision_issuers():
    """The default issuers of fixtures/decision-issuers.csv; rows staff added (a delegation to the
    Sở) are kept."""
    for row in _read_csv("decision-issuers.csv"):
        _save_if_changed(
            DecisionIssuer,
            defaults={"legal_basis": row["legal_basis"]},
            funding_source=FundingSource.objects.get(code=row["fund_code"]),
            issuer=row["issuer"],
        )


def _load_catalogue(programme, decision):
    areas = {}
    for number, (heading, _items) in decision.content_areas.items():
        areas[number], _created = ContentArea.objects.update_or_create(
            programme=programme, number=number, defaults={"name": heading}
        )
    for order, row in enumerate(_read_csv("activity-catalogue.csv"), start=1):
        number = int(row["area"])
        activity, _created = ActivityType.objects.update_or_create(
            programme=programme,
            code=row["code"],
            defaults={
                "content_area": areas[number],
                "letter": row["item"],
                "short_label": row["short_label"],
                "description": decision.content_areas[number][1].get(row["item"], ""),
                "source_section": row["seed_section"],
                "target_note": row["measures_target"],
                "sort_order": order,
            },
        )
        for v_order, (key, label) in enumerate(_parse_variants(row["variants"]), start=1):
            ActivityVariant.objects.update_or_create(
                activity=activity, key=key, defaults={"label": label, "sort_order": v_order}
            )


def _load_communes():
    kinds = {"xã": AdministrativeUnit.Kind.XA, "phường": AdministrativeUnit.Kind.PHUONG}
    for row in _read_csv("communes.csv"):
        AdministrativeUnit.objects.update_or_create(
            code=row["code"].zfill(5),
            defaults={
                "name": row["name"],
                "kind": kinds[row["kind"]],
                "full_name": row["full_name"],
                "national_order": int(row["stt_in_list"]) if row["stt_in_list"] else None,
                "former_province": row["former_province"],
                "former_districts": row["former_districts"],
                "merged_from": row["merged_from"],
            },
        )


def commune_unit_name(commune):
    """ "UBND phường Phố Hiến": after "UBND" the administrative level is written in lower case
    (NĐ 30/2020/NĐ-CP Phụ lục II, the name of the issuing body), the place keeps its capitals."""
    full_name = commune.full_name or f"{commune.get_kind_display()} {commune.name}"
    return f"UBND {full_name[:1].lower()}{full_name[1:]}"


def _load_reporting_units():
    """One unit per commune (kept in step with the commune list) and the partner departments."""
    for commune in AdministrativeUnit.objects.all():
        ReportingUnit.objects.update_or_create(
            code=f"xa-{commune.code}",
            defaults={
                "name": commune_unit_name(commune),
                "kind": ReportingUnit.Kind.COMMUNE,
                "commune": commune,
                "is_active": commune.is_active,
            },
        )
    for row in _read_csv("reporting-partners.csv"):
        ReportingUnit.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "kind": row["kind"]}
        )


# What the `cap_unit` words of support-rules.csv (copied from the research notes, kept as they are)
# mean in the fixed set of CapUnit. A fair, a cluster or a linkage cluster is what one project
# organises or builds; an enterprise, an association, a booth or a product belongs to one
# beneficiary facility. Shares and multipliers are no cap: blank.
CSV_CAP_UNITS = {
    "per model": CapUnit.MODEL,
    "per facility": CapUnit.FACILITY,
    "per enterprise": CapUnit.FACILITY,
    "per association": CapUnit.FACILITY,
    "per booth": CapUnit.FACILITY,
    "per product": CapUnit.FACILITY,
    "per trademark": CapUnit.TRADEMARK,
    "per round": CapUnit.ROUND,
    "per fair": CapUnit.PROJECT,
    "per cluster": CapUnit.PROJECT,
    "per linkage cluster": CapUnit.PROJECT,
    "per person": CapUnit.PROJECT,
    "% of contracted support": "",
    "% of yearly allocation": "",
    "% of project budget": "",
    "times the normal ceiling": "",
    "": "",
}


def cap_unit_of(value: str) -> str:
    """The CapUnit of a `cap_unit` cell of support-rules.csv; an unknown word stops the load."""
    key = value.strip().lower()
    if key not in CSV_CAP_UNITS:
        raise ValueError(f"support-rules.csv: unknown cap_unit {value!r} (see CSV_CAP_UNITS)")
    return CSV_CAP_UNITS[key]


def _load_support_rules(programme, statuses):
    """Load the rows of support-rules.csv whose status is in `statuses`. `national` rows are in force
    from their valid_from and flagged to verify; `superseded` rows are history; `local-example` rows
    are another province's levels and load (for demo data only) as examples never in force."""
    status_map = {
        "national": SupportRule.Status.NATIONAL,
        "superseded": SupportRule.Status.SUPERSEDED,
        "local-example": SupportRule.Status.EXAMPLE,
    }
    funds = {"KCQG": FundingSource.objects.get(code=FundingSource.KCQG)}
    kcdp = FundingSource.objects.get(code=FundingSource.KCDP)
    activities = {a.code: a for a in programme.activity_types.all()}
    for row in _read_csv("support-rules.csv"):
        if row["status"] not in statuses:
            continue
        status = status_map[row["status"]]
        activity = activities.get(row["activity_code"]) if row["activity_code"] not in ("", "*") else None
        variant = None
        if activity and row["variant"]:
            variant = ActivityVariant.objects.filter(activity=activity, key=row["variant"]).first()
        in_force_kind = status != SupportRule.Status.EXAMPLE
        _save_if_changed(
            SupportRule,
            code=row["id"],
            defaults={
                "activity": activity,
                "variant": variant,
                "applies_to_all": row["activity_code"] == "*",
                "case_description": row["case"],
                "funding_source": funds.get(row["fund_scope"], kcdp),
                "kind": row["rule_kind"],
                "max_percent": Decimal(row["max_percent"]) if row["max_percent"] else None,
                "cap_vnd": int(row["cap_vnd"]) if row["cap_vnd"] else None,
                "multiplier": Decimal(row["multiplier"]) if row["multiplier"] else None,
                "cap_unit": cap_unit_of(row["cap_unit"]),
                "legal_basis": row["legal_basis"],
                "valid_from": _parse_date(row["valid_from"]) if in_force_kind else None,
                "valid_to": _parse_date(row["valid_to"]) if in_force_kind else None,
                "status": status,
                "to_verify": status == SupportRule.Status.NATIONAL,
                "label": row["label_vi"],
                "note": row["note"],
                "source_url": row["source_url"],
            },
        )


def _save_if_changed(model, defaults, **lookup):
    """update_or_create that writes only a row that is new or differs from the file: a rule table
    keeps its history (django-simple-history), and loading the same file again must add no
    history row, only a real change does (with the loader named as its reason)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**lookup)
    elif all(getattr(row, name) == value for name, value in defaults.items()):
        return row
    for name, value in defaults.items():
        setattr(row, name, value)
    row._change_reason = "load_reference"
    row.save()
    return row


def _load_indicators():
    """The unit-report indicators of fixtures/unit-report-indicators.csv, matched by code; the
    CSV's `prefill_from` (where the figure comes from, in words) becomes the notes."""
    for order, row in enumerate(_read_csv("unit-report-indicators.csv"), start=1):
        Indicator.objects.update_or_create(
            code=row["code"],
            defaults={
                "label": row["label"],
                "unit": row["unit"],
                "content_area": int(row["content_area"]) if row["content_area"] else None,
                "order": order,
                "prefill": row["prefill"],
                "notes": row["prefill_from"],
            },
        )


def load_example_rules(programme):
    """Demo data only: another province's levels, loaded as examples that are never in force."""
    _load_support_rules(programme, statuses=("local-example",))
