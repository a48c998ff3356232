"""Staff decisions on duplicate groups carried from one run to the next (app/triage/carry.py)."""

from datetime import UTC, datetime

from app.triage.carry import PreviousGroup, carry_decisions

WHEN = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def groups_of(carried):
    return [g.ideas for g in carried]


def test_without_decisions_the_new_groups_stand_largest_first():
    carried, summary = carry_decisions([[5, 6], [1, 2, 3]], [], {1, 2, 3, 5, 6, 9})
    assert groups_of(carried) == [[1, 2, 3], [5, 6]]
    assert all(g.confirmed_at is None and not g.taken_out for g in carried)
    assert summary.confirmed_kept == summary.taken_out_kept == summary.merged_kept == 0


def test_a_confirmed_group_stays_together_and_confirmed():
    old = PreviousGroup(ideas=[1, 2, 3], confirmed_by=7, confirmed_at=WHEN)
    # The new run split it and left idea 3 alone.
    carried, summary = carry_decisions([[1, 2]], [old], {1, 2, 3, 4})
    assert groups_of(carried) == [[1, 2, 3]]
    assert carried[0].confirmed_by == 7 and carried[0].confirmed_at == WHEN
    assert summary.confirmed_kept == 1


def test_a_confirmed_group_that_new_ideas_joined_waits_to_be_confirmed_again():
    old = PreviousGroup(ideas=[1, 2], confirmed_by=7, confirmed_at=WHEN)
    carried, summary = carry_decisions([[1, 2, 8]], [old], {1, 2, 8})
    [group] = carried
    assert group.confirmed_at is None
    assert group.reconfirm_since == WHEN and group.joined_since == [8]
    assert summary.confirmed_reopened == 1 and summary.confirmed_kept == 0


def test_ideas_no_longer_compared_leave_a_confirmed_group():
    old = PreviousGroup(ideas=[1, 2, 3], confirmed_by=7, confirmed_at=WHEN)
    carried, _ = carry_decisions([], [old], {1, 2})  # idea 3 was withdrawn
    assert groups_of(carried) == [[1, 2]] and carried[0].confirmed_at == WHEN
    carried, _ = carry_decisions([], [old], {1})  # one idea left: no group
    assert carried == []


def test_an_idea_taken_out_stays_out_where_it_meets_the_same_ideas():
    old = PreviousGroup(ideas=[1, 2, 3], taken_out={3: 7})
    carried, summary = carry_decisions([[1, 2, 3], [4, 5]], [old], {1, 2, 3, 4, 5})
    assert carried[0].ideas == [1, 2, 3] and carried[0].taken_out == {3: 7}
    assert carried[1].taken_out == {}
    assert summary.taken_out_kept == 1
    # In a group with other ideas only, it is a new suggestion.
    carried, summary = carry_decisions([[3, 4]], [old], {1, 2, 3, 4})
    assert carried[0].ideas == [3, 4] and carried[0].taken_out == {}
    assert summary.taken_out_kept == 0


def test_a_taken_out_idea_stays_out_of_a_confirmed_group():
    old = PreviousGroup(ideas=[1, 2, 3], taken_out={3: 7}, confirmed_by=7, confirmed_at=WHEN)
    carried, summary = carry_decisions([[1, 2, 3]], [old], {1, 2, 3})
    [group] = carried
    assert group.taken_out == {3: 7}
    assert group.confirmed_at == WHEN  # the idea taken out is not "new"
    assert summary.confirmed_kept == 1 and summary.taken_out_kept == 1


def test_a_merged_idea_stays_with_the_idea_it_was_merged_into():
    old = PreviousGroup(ideas=[1, 2, 3], merged_into={3: 1})
    # Merged ideas are not compared, so the run groups only 1 and 2, or 1 alone.
    carried, summary = carry_decisions([[1, 2]], [old], {1, 2, 3})
    assert groups_of(carried) == [[1, 2, 3]] and summary.merged_kept == 1
    carried, _ = carry_decisions([], [old], {1, 3})
    assert groups_of(carried) == [[1, 3]]
    # Its canonical idea withdrawn since: nothing to keep it with.
    carried, _ = carry_decisions([], [old], {3})
    assert carried == []


def test_two_confirmed_groups_joined_by_the_run_are_checked_again():
    first = PreviousGroup(ideas=[1, 2], confirmed_by=7, confirmed_at=WHEN)
    second = PreviousGroup(ideas=[3, 4], confirmed_by=8, confirmed_at=WHEN)
    carried, summary = carry_decisions([[2, 3]], [first, second], {1, 2, 3, 4})
    [group] = carried
    assert group.ideas == [1, 2, 3, 4] and group.confirmed_at is None
    assert group.joined_since == [3, 4]
    assert summary.confirmed_reopened == 1
