"""People use cases: register, search before create, link, edit with optimistic
locking, households, tracing consent, sensitive attributes and the facts the
protection module needs. Registry-wide duplicate detection is `service.duplicates`,
imported by name where it is used (it pulls in `puente.linkage`).

Every read goes through `identity.visible`; a person out of the actor's reach is
`PersonNotFound` (404), never a 403 that would confirm the record exists. Logs
carry ids only; sensitive values are never logged, and every sensitive read is
audited in the caller's transaction.
"""

from puente.people.service.households import (
    add_member,
    create_household,
    get_household,
    households_of,
    register_household,
)
from puente.people.service.persons import (
    flag_for_protection,
    get_people,
    get_person,
    link_or_confirm_new,
    list_people,
    register_person,
    set_tracing_consent,
    update_person,
)
from puente.people.service.protection_facts import (
    person_facts_for_protection,
)
from puente.people.service.remote_checks import (
    decide_remote_candidate,
    drop_remote_check,
    duplicate_check_record,
    duplicate_check_registry,
    note_remote_check_delivery,
    open_remote_check,
    record_remote_duplicates,
    remote_checks,
    request_duplicate_check,
    withdraw_remote_duplicates,
)
from puente.people.service.search import (
    search_before_registering,
    search_people,
)
from puente.people.service.sensitive import (
    can_read_sensitive,
    erase_person,
    erase_sensitive,
    read_sensitive,
    record_sensitive,
    replay_erasures,
)
from puente.people.service.tracing import TracingRecord, tracing_registry

__all__ = [
    "TracingRecord",
    "add_member",
    "can_read_sensitive",
    "create_household",
    "decide_remote_candidate",
    "drop_remote_check",
    "duplicate_check_record",
    "duplicate_check_registry",
    "erase_person",
    "erase_sensitive",
    "flag_for_protection",
    "get_household",
    "get_people",
    "get_person",
    "households_of",
    "link_or_confirm_new",
    "list_people",
    "note_remote_check_delivery",
    "open_remote_check",
    "person_facts_for_protection",
    "read_sensitive",
    "record_remote_duplicates",
    "record_sensitive",
    "register_household",
    "register_person",
    "remote_checks",
    "replay_erasures",
    "request_duplicate_check",
    "search_before_registering",
    "search_people",
    "set_tracing_consent",
    "tracing_registry",
    "update_person",
    "withdraw_remote_duplicates",
]
