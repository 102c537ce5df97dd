"""The withdrawal code's way to the confirmation page, stored with the response itself.

Submitting commits the response; the respondent's session is written after that, and a session
store can fail in between. So the code is not carried in the session: the response row keeps
it, sealed (Fernet) under a key derived from the deployment's secret key and the draft id that
the respondent's session already holds, and found by a hash of that id. The confirmation page
(or a retried submit, which leads there) opens it, shows it once and then removes it. Without
the session's draft id the sealed code is unreadable, even to someone holding the database.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import Connection, Table, bindparam, select, update

from consult.direct import PreparedQuery
from surveys.models import Response

_R: Table = Response.__table__  # type: ignore[assignment]
_FIND = PreparedQuery(select(_R.c.receipt).where(_R.c.receipt_hash == bindparam("receipt_hash")))
_FORGET = (
    update(_R)
    .where(_R.c.receipt_hash == bindparam("old_hash"))
    .values(receipt_hash=None, receipt=None)
)


# Longer than any respondent session lives: after it no one holds the draft id that opens it.
UNSHOWN_KEPT_FOR = timedelta(days=1)


def receipt_hash(draft_id: uuid.UUID) -> str:
    return hashlib.sha256(f"receipt:{draft_id}".encode()).hexdigest()


def _fernet(secret_key: str, draft_id: uuid.UUID) -> Fernet:
    digest = hashlib.sha256(f"{secret_key}\x00receipt\x00{draft_id}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(code: str, secret_key: str, draft_id: uuid.UUID) -> dict[str, str]:
    """The response row's receipt columns for `code`."""
    token = _fernet(secret_key, draft_id).encrypt(code.encode()).decode("ascii")
    return {"receipt_hash": receipt_hash(draft_id), "receipt": token}


def find(connection: Connection, secret_key: str, draft_id: uuid.UUID) -> str | None:
    """The withdrawal code of the response sent from this draft, if not shown yet."""
    row = _FIND.first(connection, receipt_hash=receipt_hash(draft_id))
    if row is None or not row[0]:
        return None
    try:
        return _fernet(secret_key, draft_id).decrypt(str(row[0]).encode()).decode()
    except InvalidToken:  # sealed under another secret key: nothing to show
        return None


def forget(connection: Connection, draft_id: uuid.UUID) -> None:
    """After the code was shown: only the withdrawal code's hash remains."""
    connection.execute(_FORGET, {"old_hash": receipt_hash(draft_id)})


def forget_unshown(connection: Connection, now: datetime) -> None:
    """Retention: a sealed code not shown within a day never will be; drop it."""
    connection.execute(
        update(_R)
        .where(_R.c.receipt_hash.is_not(None), _R.c.submitted_at < now - UNSHOWN_KEPT_FOR)
        .values(receipt_hash=None, receipt=None)
    )
