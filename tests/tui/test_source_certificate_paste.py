"""A Replica Of source trusts exactly one proxy certificate: the New database form and the
wizard's Certificates step take it from a paste through one helper."""

from __future__ import annotations

import pytest
from textual.app import App

from state.certificates import describe_pem
from state.certificates.issue import certificate_authority
from tui.dialogs.paste import one_source_certificate

pytestmark = pytest.mark.anyio


def _certificates(count: int):
    return [describe_pem(certificate_authority(f"CA {n}").pem.decode()) for n in range(count)]


async def test_a_paste_of_one_certificate_is_taken_and_of_two_refused_with_a_message() -> None:
    app = App()
    async with app.run_test() as pilot:
        one, two = _certificates(1), _certificates(2)
        assert len(one) == 1 and len(two) == 2
        assert one_source_certificate(app.screen, one) == one[0]
        assert one_source_certificate(app.screen, None) is None
        assert one_source_certificate(app.screen, []) is None
        assert not app._notifications
        assert one_source_certificate(app.screen, two) is None
        await pilot.pause()
        (notice,) = list(app._notifications)
        assert notice.severity == "error" and "Paste one certificate" in notice.message
