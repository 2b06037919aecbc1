"""One rule for comparing email addresses (README "Security model").

``email_normalize`` is NFKC, then Unicode case folding, then NFKC again (case folding can undo
a composition). Two addresses are the same identity exactly when their normalised forms are
equal, and the database only ever compares normalised forms (``User.email_normalized``, unique).

Why not the database's case-insensitive comparison: PostgreSQL's ``UPPER()`` maps the dotless
i (U+0131) to ``I`` and the long s (U+017F) to ``S``, so ``al<U+0131>ce@…`` matched ``alice@…``
in queries while the rate limiter, which keyed on Python's ``lower()``, counted it apart.
Under this rule:

- ``ALICE@Red.Test`` and ``alice@red.te<U+017F>t`` (long s: NFKC and case folding give ``s``)
  are ``alice@red.test``: the same account, one login-failure bucket;
- ``al<U+0131>ce@red.test`` (dotless i, which case folding keeps) is a different address: it never
  matches alice's account anywhere (login, reset, resend, registration, OAuth linking, admin).

The address as typed is kept in ``User.email`` for sending mail (folding ``ß`` to ``ss`` may
name another mailbox); only identity uses the normalised form.
"""

from __future__ import annotations

import unicodedata

#: ``User.email_normalized`` holds at most this many characters. NFKC can expand a character
#: (a ligature such as U+FB03 becomes three letters), so a valid 254-character address may not
#: fit once normalised: such addresses are refused as invalid instead of failing on insert.
EMAIL_NORMALIZED_MAX_LENGTH = 254


def email_normalized_fits(email: str) -> bool:
    return len(email_normalize(email)) <= EMAIL_NORMALIZED_MAX_LENGTH


def email_normalize(email: str) -> str:
    folded = unicodedata.normalize("NFKC", (email or "").strip()).casefold()
    return unicodedata.normalize("NFKC", folded)
