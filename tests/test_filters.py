"""Template filters that turn numbers into words staff read."""

import pytest

from app.filters import confidence


@pytest.mark.parametrize(("value", "shown"), [
    (1.0, "over 99%"), (0.995, "over 99%"), (0.994, "99%"), (0.5, "50%"), (0.006, "1%"),
    (0.005, "under 1%"), (0.0, "under 1%"),
])
def test_confidence_never_claims_certainty(value, shown):
    assert confidence(value) == shown
