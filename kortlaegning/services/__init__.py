"""Write operations of the mapping, in three modules by subject:

- ``lifecycle``: the question catalogue and a round's life (create, open, close, reopen, publish);
- ``collection``: printed codes, the open link and e-mailed invitations;
- ``answering``: exchanging a code or link for a grant, storing an anonymous response or a
  dialogue's joint answers.

Callers import from ``kortlaegning.services`` as before; the names are re-exported here.
"""

from kortlaegning.services.answering import (
    Grant,
    RateLimited,
    Refusal,
    SessionMark,
    check_answers,
    dialogue_record,
    grant_for_code,
    grant_for_invitation,
    grant_for_leader,
    grant_for_open_link,
    questions_for,
    response_submit,
    round_check_answerable,
    submits_at_once,
)
from kortlaegning.services.collection import (
    MAX_CODES_PER_SHEET,
    MAX_INVITATIONS_PER_SEND,
    codes_generate,
    invitation_mails_send,
    invitations_remind,
    invitations_send,
    open_link_create,
)
from kortlaegning.services.lifecycle import (
    ROUND_OPENING_LOCK,
    levels_string,
    question_revise,
    round_close,
    round_close_due,
    round_create,
    round_freeze_questions,
    round_open,
    round_publish_results,
    round_reopen,
    round_update,
)

__all__ = [
    "MAX_CODES_PER_SHEET",
    "MAX_INVITATIONS_PER_SEND",
    "ROUND_OPENING_LOCK",
    "Grant",
    "RateLimited",
    "Refusal",
    "SessionMark",
    "check_answers",
    "codes_generate",
    "dialogue_record",
    "grant_for_code",
    "grant_for_invitation",
    "grant_for_leader",
    "grant_for_open_link",
    "invitation_mails_send",
    "invitations_remind",
    "invitations_send",
    "levels_string",
    "open_link_create",
    "question_revise",
    "questions_for",
    "response_submit",
    "round_check_answerable",
    "round_close",
    "round_close_due",
    "round_create",
    "round_freeze_questions",
    "round_open",
    "round_publish_results",
    "round_reopen",
    "round_update",
    "submits_at_once",
]
