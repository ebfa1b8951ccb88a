"""Which kinds of principal may call which route: the one table of route-level rules.

Finer rules live further in: the application answers 404 for customers the caller
may not see, and the domain answers 403 with its reason for what it may not do.
"""

from __future__ import annotations

from domain.values import ActorKind

MSP, DISTRIBUTOR = ActorKind.MSP, ActorKind.DISTRIBUTOR
IMPORTER, AUDITOR, ADMIN = ActorKind.IMPORTER, ActorKind.AUDITOR, ActorKind.ADMIN

PARTNERS = frozenset({MSP, DISTRIBUTOR})
ANY = frozenset({MSP, DISTRIBUTOR, IMPORTER, AUDITOR, ADMIN})
READERS = PARTNERS | {AUDITOR, ADMIN}

ALLOWED: dict[str, frozenset[ActorKind]] = {
    "read_catalogue": ANY,
    "register_partner": frozenset({ADMIN}),
    "read_partner": frozenset({ADMIN}),
    "change_partner_status": frozenset({ADMIN}),
    "issue_partner_key": frozenset({ADMIN}),
    "issue_service_key": frozenset({ADMIN}),
    "list_partners": READERS,
    "list_partner_keys": PARTNERS | {ADMIN},
    "revoke_partner_key": PARTNERS | {ADMIN},
    "list_service_keys": frozenset({ADMIN}),
    "revoke_service_key": frozenset({ADMIN}),
    "invite_user": frozenset({ADMIN}),
    "add_customer": PARTNERS | {ADMIN},
    "list_pending_customers": READERS,
    "list_customers": READERS,
    "read_customer": READERS,
    "customer_history": READERS,
    "read_activation_link": PARTNERS,
    "reissue_activation_link": PARTNERS,
    "log_import_message": frozenset({IMPORTER}),
    "record_import_failure": frozenset({IMPORTER}),
    "complete_import": frozenset({IMPORTER}),
    "extend_trial": PARTNERS,
    "set_automatic_upgrade": PARTNERS,
    "convert_to_production": PARTNERS,
    "change_subscription": PARTNERS,
    "erase_personal_data": PARTNERS | {ADMIN},
    "read_personal_data": READERS,
    "create_webhook_endpoint": PARTNERS | {ADMIN},
    "list_webhook_endpoints": PARTNERS | {ADMIN},
    "read_webhook_endpoint": PARTNERS | {ADMIN},
    "change_webhook_endpoint": PARTNERS | {ADMIN},
    "delete_webhook_endpoint": PARTNERS | {ADMIN},
    "rotate_webhook_secret": PARTNERS | {ADMIN},
    "retire_webhook_secrets": PARTNERS | {ADMIN},
    "list_webhook_deliveries": PARTNERS | {ADMIN},
    "redeliver_webhook": PARTNERS | {ADMIN},
    "trial_analytics": READERS,
    "list_events": READERS,
    "read_test_clock": frozenset({ADMIN}),
    "advance_test_clock": frozenset({ADMIN}),
}
