"""The translation catalogs: each compiles without an error, and no message is listed twice."""

import re
from collections import Counter

import pytest
from babel.messages.pofile import read_po

from contest.i18n import TRANSLATIONS

MSGID = re.compile(r'^msgid ((?:".*"\n)+)(?=msgstr)', re.MULTILINE)
CATALOGS = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_entry_is_well_formed(path):
    # A msgid without its msgstr only warns (on every first start) and drops the entry.
    with path.open("rb") as po_file:
        read_po(po_file, abort_invalid=True)


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_every_translation_keeps_the_placeholders_of_its_message(path):
    with path.open("rb") as po_file:
        catalog = read_po(po_file)
    problems = [(message.id, error) for message, errors in catalog.check() for error in errors]
    assert problems == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda path: path.parts[-3])
def test_no_message_is_listed_twice(path):
    # Each active entry's msgid, its continuation lines joined; the header's is the empty one.
    entries = MSGID.findall(path.read_text(encoding="utf-8"))
    assert [entry for entry, count in Counter(entries).items() if count > 1] == []
