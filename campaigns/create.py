"""`campaign create`: a new campaign, or the same command again continuing an interrupted one.

Everything is checked before anything is stored (systems, models, test set, numbers); the
campaign row is stored next, then the outputs batch by batch (see `campaigns.generate`),
then the assignment (`campaigns.assign` for ``pairwise``, `campaigns.esa_assign` for the
error-span protocols). Running the same command again continues from what is stored; the
same name with other settings (the protocol included) is refused.
"""
from __future__ import annotations

from dataclasses import dataclass

from campaigns.assign import build_assignment
from campaigns.esa_assign import build_esa_assignment
from campaigns.generate import Progress, check_system, generate_outputs
from campaigns.testset import direction, read_items
from chat.settings import UserError
from storage.campaign_schema import PROTOCOLS


@dataclass(frozen=True)
class CreateRequest:
    name: str
    test_set: str
    src: str | None
    tgt: str | None
    systems: list[tuple[str, dict]]
    annotators: list[str]
    redundancy: int = 2
    repeat: float = 0.1
    qc: float = 0.1
    limit: int | None = None
    seed: int = 0
    protocol: str = "pairwise"

    def check(self) -> None:
        if not self.name.strip():
            raise UserError("the campaign needs a name")
        if self.protocol not in PROTOCOLS:
            raise UserError(f"--protocol must be one of {'|'.join(PROTOCOLS)}, got {self.protocol!r}")
        if not 1 <= self.redundancy <= len(self.annotators):
            raise UserError(f"--redundancy must be between 1 and the number of annotators "
                            f"({len(self.annotators)}), got {self.redundancy}")
        for flag, value in (("--repeat", self.repeat), ("--qc", self.qc)):
            if not 0 <= value < 1:
                raise UserError(f"{flag} is a share of each annotator's items, from 0 to below 1; "
                                f"got {value}")
        if self.limit is not None and self.limit < 1:
            raise UserError(f"--limit must be at least 1, got {self.limit}")

    def settings(self, src: str, tgt: str) -> dict:
        return {"systems": [[label, spec] for label, spec in self.systems],
                "annotators": list(self.annotators), "redundancy": self.redundancy,
                "repeat": self.repeat, "qc": self.qc, "limit": self.limit, "seed": self.seed,
                "src": src, "tgt": tgt}


def create_campaign(campaigns, request: CreateRequest, backend: dict | None = None,
                    progress: Progress | None = None):
    """Create (or continue) the campaign; returns its CampaignInfo once it is ready."""
    request.check()
    items, records = read_items(request.test_set, request.limit)
    src, tgt = direction(request.src, request.tgt, records)
    for label, spec in request.systems:
        check_system(label, spec, src, tgt)
    settings = request.settings(src, tgt)
    campaign = campaigns.find(request.name)
    if campaign is None:
        campaign = campaigns.create(request.name, request.test_set, src, tgt, settings,
                                    request.systems, items, request.annotators, request.protocol)
    else:
        _check_same(campaign, request, settings, items, campaigns)
    if campaign.status == "ready":
        return campaign
    generate_outputs(campaigns, campaign, backend, progress)
    outputs = campaigns.outputs(campaign.id)
    parts = (campaigns.items(campaign.id), campaigns.systems(campaign.id),
             campaigns.annotators(campaign.id), outputs)
    if request.protocol == "pairwise":
        rows = build_assignment(*parts, request.redundancy, request.repeat, request.qc, request.seed)
    else:
        rows = build_esa_assignment(*parts, request.protocol, request.redundancy, request.repeat,
                                    request.qc, request.seed)
    campaigns.set_assignments(campaign.id, rows)
    return campaigns.get(request.name)


def _check_same(campaign, request: CreateRequest, settings: dict, items, campaigns) -> None:
    stored = dict(campaign.settings)
    changed = [k for k in sorted(set(stored) | set(settings)) if stored.get(k) != settings.get(k)]
    if campaign.test_set != request.test_set:
        changed.insert(0, "test set")
    if campaign.protocol != request.protocol:
        changed.insert(0, "protocol")
    if not changed and [(i.key, i.source) for i in campaigns.items(campaign.id)] != \
            [(key, source) for key, source, _, _ in items]:
        changed.append("test set contents")
    if changed:
        raise UserError(f"a campaign named {request.name!r} already exists with other settings "
                        f"({', '.join(changed)}); run the same command to continue it, or choose "
                        "another name")
