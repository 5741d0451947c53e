"""Alerts: trigger firings become CAP 1.2 alerts with a lifecycle (Alert → Update →
Cancel), an Atom feed and in-app notices for the subscribed roles.

`lifecycle` raises, updates and cancels (and subscribes to `FlowsImported`);
`reading` lists and reads; `cap_export` renders CAP XML; `feed` the Atom feed;
`notices` the in-app notices; `catalogue` the trigger catalogues as screens show
them; `_common` the shapes, labels and text helpers they share.
"""

from puente.early_warning.errors import AlertClosed, AlertNotFound, NoticeNotFound
from puente.early_warning.service.alerts._common import (
    CAP_LABELS,
    COUNTRY_NAMES,
    LEVEL_NAMES,
    LEVELS,
    MSG_TRANSITIONS,
    SUBSCRIBED_ROLES,
    AlertDetail,
    AlertMessageRead,
    AlertPage,
    AlertRead,
    FiringData,
    NoticeRead,
    can_follow,
    cap_value,
    clean_text,
    country_name,
    json_dict,
    months_between,
    title_in,
)
from puente.early_warning.service.alerts.cap_export import (
    EXPIRES_AFTER,
    LANGUAGES,
    RESTRICTION,
    alert_cap_xml,
    cap_message,
    export_cap_files,
    render_alert,
)
from puente.early_warning.service.alerts.catalogue import (
    LAD_STATES,
    CatalogueOverview,
    TriggerDefinition,
    catalogue_overview,
    catalogue_triggers,
)
from puente.early_warning.service.alerts.feed import ATOM, atom_feed
from puente.early_warning.service.alerts.lifecycle import (
    AUDIT_VERBS,
    SOURCE_COUNTRY,
    STOOD_DOWN,
    SUPERSEDED,
    UPDATE_WINDOW_MONTHS,
    cancel_alert,
    firing_data,
    handle_flows_imported,
    raise_alerts,
    update_alert,
)
from puente.early_warning.service.alerts.notices import (
    mark_notice_read,
    unread_notices,
)
from puente.early_warning.service.alerts.reading import (
    alert_messages,
    get_alert,
    get_alert_row,
    level_by_country,
    list_alerts,
    page_alerts,
)

__all__ = [
    "ATOM",
    "AUDIT_VERBS",
    "CAP_LABELS",
    "COUNTRY_NAMES",
    "EXPIRES_AFTER",
    "LAD_STATES",
    "LANGUAGES",
    "LEVELS",
    "LEVEL_NAMES",
    "MSG_TRANSITIONS",
    "RESTRICTION",
    "SOURCE_COUNTRY",
    "STOOD_DOWN",
    "SUBSCRIBED_ROLES",
    "SUPERSEDED",
    "UPDATE_WINDOW_MONTHS",
    "AlertClosed",
    "AlertDetail",
    "AlertMessageRead",
    "AlertNotFound",
    "AlertPage",
    "AlertRead",
    "CatalogueOverview",
    "FiringData",
    "NoticeNotFound",
    "NoticeRead",
    "TriggerDefinition",
    "alert_cap_xml",
    "alert_messages",
    "atom_feed",
    "can_follow",
    "cancel_alert",
    "cap_message",
    "cap_value",
    "catalogue_overview",
    "catalogue_triggers",
    "clean_text",
    "country_name",
    "export_cap_files",
    "firing_data",
    "get_alert",
    "get_alert_row",
    "handle_flows_imported",
    "json_dict",
    "level_by_country",
    "list_alerts",
    "mark_notice_read",
    "months_between",
    "page_alerts",
    "raise_alerts",
    "render_alert",
    "title_in",
    "unread_notices",
    "update_alert",
]
