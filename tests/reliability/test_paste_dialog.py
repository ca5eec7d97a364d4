"""The bad-input corpus pasted into the paste dialog (PasteCertificatesDialog), driven
with Textual's Pilot as a terminal delivers a bracketed paste.

Every paste must leave the app running with a readable preview: certificates listed,
or one clear error and Save disabled. A private key is wiped from the text area (undo
included) and nothing reaches the disk: the state folder is byte-for-byte the same.
"""

from __future__ import annotations

import re

import pytest
from corpus import Entry, made_entries, private_key_entries, vector_entries
from reliability_helpers import folder_picture
from textual import events
from textual.widgets import Button, Static, TextArea

from state.certificates.issue import SubjectFields, certificate_authority, issue_certificate
from state.workspace import init_state
from tui.app import WizardApp
from tui.dialogs.paste import PasteCertificatesDialog


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _as_pasted(entry: Entry) -> str:
    """What a terminal would deliver: text (binary arrives as whatever it decodes to)."""
    return entry.data.decode("utf-8", "replace").replace("\x00", "")


def _key_lines(data: bytes) -> list[str]:
    text = data.decode("latin-1")
    return [
        ln.strip() for ln in text.splitlines() if re.fullmatch(r"[A-Za-z0-9+/=]{40,}", ln.strip())
    ]


def _corpus(huge_size: int, every_vector: int) -> list[Entry]:
    """The corpus; the quick form takes every n-th file of cryptography-vectors (each
    paste costs Pilot's idle waits), every generated key and every hand-made input."""
    ca = certificate_authority("Paste CA")
    client = issue_certificate(ca, SubjectFields(cn="paste.example.com"), key_type="ec", bits=256)
    vectors = vector_entries()
    vectors = vectors[::every_vector]
    entries = vectors + private_key_entries() + made_entries(client.pem, client.key_pem)
    entries.append(
        Entry(f"huge/{huge_size // 1024 // 1024}MB", client.pem * (huge_size // len(client.pem)))
    )
    return entries


async def _paste_all(tmp_path, entries: list[Entry]) -> dict[str, int]:
    state = tmp_path / "state" / "tls-wizard.toml"
    state.parent.mkdir()
    init_state(state, "cluster1.example.com")
    before = folder_picture(state.parent)
    counts = {"certificates": 0, "refused": 0, "keys wiped": 0}
    problems: list[str] = []
    app = WizardApp(state, cursor_blink=False)
    async with app.run_test(size=(100, 32)) as pilot:
        dialog = PasteCertificatesDialog("Add certificates", "client")
        await app.push_screen(dialog)
        await pilot.pause()
        area = dialog.query_one(TextArea)
        for entry in entries:
            area.load_text("")
            area.focus()
            dialog.key_refused = False
            pasted = _as_pasted(entry)
            app.post_message(events.Paste(pasted))
            await pilot.pause()
            if app.workers:  # a one-line paste is read as a file path, in a worker
                await app.workers.wait_for_complete()
                await pilot.pause()
            if app.screen is not dialog:
                problems.append(f"{entry.name}: the dialog closed")
                break
            preview = str(dialog.query_one("#paste-certificates", Static).render())
            save = dialog.query_one("#save", Button)
            if entry.private_key and dialog.key_refused:
                counts["keys wiped"] += 1
                if area.text:
                    problems.append(f"{entry.name}: key left in the text area")
            elif entry.private_key and not save.disabled:
                # Not recognised as a key (a damaged one): it must still not be accepted.
                problems.append(f"{entry.name}: a private key could be saved")
            if dialog.certificates and not save.disabled:
                counts["certificates"] += 1
            else:
                counts["refused"] += 1
                silent = "Nothing pasted yet" in preview and bool(pasted.strip())
                if not preview.strip() or silent:
                    problems.append(f"{entry.name}: no message ({preview[:80]!r})")
            # Undo must neither crash (Textual #6686) nor bring a wiped key back.
            await pilot.press("ctrl+z")
            if entry.private_key and any(line in area.text for line in _key_lines(entry.data)):
                problems.append(f"{entry.name}: undo brought the key back")
            for line in _key_lines(entry.data) if entry.private_key else []:
                if line in preview:
                    problems.append(f"{entry.name}: key bytes shown in the preview")
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code in (None, 0), "the app failed"
    assert not problems, "\n".join(problems[:30])
    assert folder_picture(state.parent) == before, "pasting changed the state folder"
    return counts


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("huge", "every_vector"),
    [
        pytest.param(2 * 1024 * 1024, 8, id="quick"),
        pytest.param(50 * 1024 * 1024, 1, id="slow-50MB", marks=pytest.mark.slow),
    ],
)
async def test_every_corpus_input_pasted_into_the_dialog(
    tmp_path, huge, every_vector, reliability_report
):
    entries = _corpus(huge, every_vector)
    counts = await _paste_all(tmp_path, entries)
    assert counts["keys wiped"] >= 35
    reliability_report(
        f"{len(entries)} pastes into PasteCertificatesDialog: {counts['refused']} refused with "
        f"a message and Save disabled, {counts['certificates']} read as savable certificates, "
        f"{counts['keys wiped']} private keys wiped (undo too); the state folder unchanged"
    )
