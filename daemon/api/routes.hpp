// The HTTP API's routes (DESIGN.md §4), each a thin adapter from HTTP to a domain service.
#pragma once

#include <functional>
#include <memory>

#include "config/config.hpp"
#include "daemon/http/router.hpp"
#include "daemon/services/message_service.hpp"

namespace liaison {
struct clock;
}
namespace liaison::services {
class announcement_service;
class interpretation_service;
class interpretation_store;
class conversation_store;
class directory_store;
class template_store;
class inbound_sms_service;
class voice_keypad_service;
}  // namespace liaison::services
namespace liaison::queue {
class delivery_queue;
}
namespace liaison::http {
class static_site;
}
namespace liaison::api {
class provider_metrics;
}
namespace prometheus {
class Registry;
}

namespace liaison::api {

struct health_probes {
  std::function<bool()> redis_reachable;
  std::function<bool()> workers_running;
};

// GET /healthz, /readyz, /metrics: open, for load balancers, systemd and Prometheus.
void add_health_routes(http::router& routes, health_probes probes,
                       std::shared_ptr<prometheus::Registry> registry);

// GET /v1/me: who the caller's key is (name, role, schools) and the district's schools, for the
// console's role-aware screens.
void add_session_route(http::router& routes, config::district_config district);

// GET /console/… : the staff console's built files (http/static_files.hpp), open like any static
// page: every API call it makes carries the user's key. `site` must outlive the routes.
void add_console_routes(http::router& routes, const http::static_site& site);

// POST /v1/messages (to an address, or to a family: then an announcement to that family, and
// `on_family_message` wakes the fan-out), GET /v1/messages/{id}.
void add_message_routes(http::router& routes, services::message_service& messages,
                        services::announcement_service& announcements,
                        std::function<void()> on_family_message);

// POST/GET /v1/announcements (GET: the newest, paged), GET /v1/announcements/{id}, its
// /failures (paged, with why) and POST /v1/announcements/{id}/cancel. A new announcement (and a
// preview) may take texts from a translation request and a named template.
// `on_accepted` runs after a new announcement is stored (to wake the local fan-out).
void add_announcement_routes(http::router& routes, services::announcement_service& announcements,
                             services::interpretation_store& translations,
                             services::template_store& templates,
                             std::function<void()> on_accepted);

// PUT/DELETE /v1/templates/{name} (coordinator and admin keys), GET /v1/templates/{name} and
// GET /v1/templates (any key): named templates, docs/templates.md.
void add_template_routes(http::router& routes, services::template_store& templates,
                         services::interpretation_store& translations);

// POST /v1/families/import: a roster (OneRoster users.csv or NDJSON), streamed.
void add_family_import_route(http::router& routes, services::directory_store& directory,
                             std::string default_language, std::size_t max_import_bytes);

// PUT/GET/DELETE /v1/contacts/{id}: community partners and volunteers (coordinator, admin).
void add_contact_routes(http::router& routes, services::directory_store& directory);

// GET /v1/conversations?family_id=: what a family texted back.
void add_conversation_routes(http::router& routes, services::directory_store& directory,
                             services::conversation_store& conversations);

// PUT/GET /v1/interpreters/{id}; POST/GET /v1/interpretation-requests, GET/PATCH …/{id}.
void add_interpretation_routes(http::router& routes, services::interpretation_store& store,
                               services::interpretation_service& offers,
                               services::directory_store& directory, const clock& time,
                               std::string district_time_zone);

// GET/POST /offers/{code}/{token}: the page where an interpreter offered a request by email
// accepts or declines it (no API key: the link's token is the credential).
void add_offer_routes(http::router& routes, services::interpretation_service& interpreting);

// POST/GET /v1/translation-requests, GET/PATCH …/{id}.
void add_translation_routes(http::router& routes, services::interpretation_store& store,
                            services::interpretation_service& offers, const clock& time);

// GET /v1/reports/reach and /v1/reports/interpretation (coordinator and admin keys).
void add_report_routes(http::router& routes, services::announcement_service& announcements,
                       services::interpretation_store& interpretation, const clock& time);

// PUT/GET/DELETE /v1/families/{id}.
void add_family_routes(http::router& routes, services::directory_store& directory);

// Provider callbacks, each authenticated by its provider's signature instead of an API key:
// Inbound texts (STOP/START/HELP, language changes, answers, replies in every language) from
// POST /v1/providers/twilio/sms, GET /v1/providers/kannel/mo and
// POST /v1/providers/webhook/{name}/inbound; keypad answers on calls from
// POST /v1/providers/twilio/voice; delivery reports from POST /v1/providers/twilio/status,
// GET /v1/providers/kannel/dlr, POST /v1/providers/sendgrid/events and
// POST /v1/providers/webhook/{name}/status. Throws std::invalid_argument when a SendGrid
// event_webhook_public_key is not a P-256 public key.
void add_provider_routes(http::router& routes, const config::liaison_config& cfg,
                         services::inbound_sms_service& inbound,
                         services::voice_keypad_service& keypad, queue::delivery_queue& queue,
                         services::directory_store& directory, const clock& time,
                         provider_metrics& metrics);

}  // namespace liaison::api
