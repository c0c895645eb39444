"""Fill Danish msgstrs from a JSON map {msgid: msgstr or [singular, plural]} and clear fuzzy flags.

Usage: python scripts/po_fill.py path/to/da/django.po translations.json
"""

import json
import sys

import polib

po = polib.pofile(sys.argv[1])
with open(sys.argv[2], encoding="utf-8") as handle:
    table = json.load(handle)
for entry in po:
    if entry.msgid not in table:
        continue
    value = table[entry.msgid]
    if entry.msgid_plural:
        entry.msgstr_plural = {0: value[0], 1: value[1]}
    else:
        entry.msgstr = value
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = None
    entry.previous_msgid_plural = None
po.save()
