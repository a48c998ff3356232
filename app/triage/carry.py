"""Staff decisions on duplicate groups carried from one clustering run to the next.

A new run groups ideas afresh, but what staff decided about the last run's groups still holds:
- ideas staff confirmed as one group stay together, and the group stays confirmed while it
  holds exactly those ideas (if new ideas joined it, it waits to be confirmed again);
- an idea merged into another stays in a group with the idea it was merged into (merged
  ideas are no longer compared, so the run alone would drop them);
- an idea staff took out of a group ("not a duplicate") is taken out again wherever it lands
  with any of the ideas it was taken out from.

Plain Python, no database: :mod:`app.triage.services` reads the last run's decisions and
stores what :func:`carry_decisions` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class PreviousGroup:
    """One group of the last run, with what staff decided about it."""

    ideas: list[int]  # every member, taken out or not
    taken_out: dict[int, int | None] = field(default_factory=dict)  # idea -> by whom
    confirmed_by: int | None = None
    confirmed_at: datetime | None = None
    merged_into: dict[int, int] = field(default_factory=dict)  # merged idea -> its canonical

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def kept(self) -> list[int]:
        """The members staff did not take out."""
        return [i for i in self.ideas if i not in self.taken_out]


@dataclass
class CarriedGroup:
    """A group for the new run: its ideas, those taken out again, and its confirmation."""

    ideas: list[int]
    taken_out: dict[int, int | None] = field(default_factory=dict)
    confirmed_by: int | None = None
    confirmed_at: datetime | None = None
    # Set when the group holds a group staff confirmed plus ideas that joined since.
    reconfirm_since: datetime | None = None
    joined_since: list[int] = field(default_factory=list)


@dataclass
class CarrySummary:
    """How many decisions a run kept, for the message after "Check again"."""

    confirmed_kept: int = 0
    confirmed_reopened: int = 0
    taken_out_kept: int = 0
    merged_kept: int = 0


class _Components:
    """Union-find over idea ids."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, a: int) -> int:
        self.parent.setdefault(a, a)
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:  # path compression
            self.parent[a], a = root, self.parent[a]
        return root

    def join(self, ideas: Iterable[int]) -> None:
        ideas = list(ideas)
        for other in ideas[1:]:
            a, b = self.find(ideas[0]), self.find(other)
            if a != b:
                self.parent[max(a, b)] = min(a, b)


def carry_decisions(groups: Sequence[Sequence[int]], previous: Sequence[PreviousGroup],
                    present: set[int]) -> tuple[list[CarriedGroup], CarrySummary]:
    """The new run's groups with the last run's decisions applied, largest first.

    ``groups`` are the new run's groups of compared ideas; ``present`` the ideas that can
    still be in a group (those compared, and merged ideas whose canonical idea is compared).
    Ideas of the last run no longer present (withdrawn, hidden) are left out."""
    components = _Components()
    for group in groups:
        components.join(group)
    for old in previous:
        if old.confirmed:
            components.join(i for i in old.kept if i in present)
        for merged, canonical in old.merged_into.items():
            if merged in present and canonical in present and merged not in old.taken_out:
                components.join((merged, canonical))
    members: dict[int, list[int]] = {}
    for idea in components.parent:
        if idea in present:
            members.setdefault(components.find(idea), []).append(idea)
    carried = {root: CarriedGroup(ideas=sorted(ideas))
               for root, ideas in members.items() if len(ideas) >= 2}
    summary = CarrySummary()
    for old in previous:
        for idea, by in old.taken_out.items():
            group = carried.get(components.find(idea)) if idea in present else None
            if group is None or idea in group.taken_out:
                continue
            # Taken out again only where it meets the ideas it was taken out from.
            if any(components.find(other) == components.find(idea) for other in old.kept
                   if other in present):
                group.taken_out[idea] = by
                summary.taken_out_kept += 1
        summary.merged_kept += sum(
            1 for merged, canonical in old.merged_into.items()
            if merged in present and canonical in present and merged not in old.taken_out)
    for old in previous:
        kept = {i for i in old.kept if i in present}
        if not old.confirmed or len(kept) < 2:
            continue
        group = carried[components.find(next(iter(kept)))]
        if group.confirmed_at is not None or group.reconfirm_since is not None:
            continue  # another confirmed group already decided this one
        joined = [i for i in group.ideas if i not in kept and i not in group.taken_out]
        if joined:
            group.reconfirm_since, group.joined_since = old.confirmed_at, joined
            summary.confirmed_reopened += 1
        else:
            group.confirmed_by, group.confirmed_at = old.confirmed_by, old.confirmed_at
            summary.confirmed_kept += 1
    ordered = sorted(carried.values(),
                     key=lambda g: (-(len(g.ideas) - len(g.taken_out)), g.ideas[0]))
    return ordered, summary
