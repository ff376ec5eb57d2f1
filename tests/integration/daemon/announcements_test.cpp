// Announcements end to end: the real liaisond on a private redis-server, families in eight
// languages, one announcement with some human translations, and the outbox checked for exactly
// one delivery per guardian and allowed channel, each in the right language and zone.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "support/time_format.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/twilio_webhook.hpp"

namespace liaison::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* coordinator_key = "announcements-coordinator-key";
constexpr const char* school_key = "announcements-school-key";
constexpr const char* twilio_token = "announcements-twilio-token";
constexpr const char* public_url = "https://liaison.example.org";

struct test_family {
  const char* id;
  const char* language;
  const char* zone;
  const char* school;
};

// Eight languages: one right-to-left (ar), several without a human translation (so, ht,
// zh-Hans, gu), and one the message catalog does not have at all (gu, Gujarati).
constexpr test_family families[] = {
    {"fam-es", "es-MX", "America/Chicago", "lincoln-es"},
    {"fam-ar", "ar", "America/New_York", "lincoln-es"},
    {"fam-vi", "vi", "America/Los_Angeles", "lincoln-es"},
    {"fam-zh", "zh-Hans", "America/New_York", "lincoln-es"},
    {"fam-so", "so", "America/Chicago", "lincoln-es"},
    {"fam-ht", "ht", "America/New_York", "lincoln-es"},
    {"fam-en", "en", "America/New_York", "lincoln-es"},
    {"fam-gu", "gu", "America/Chicago", "lincoln-es"},
    {"fam-other", "es", "America/Chicago", "parks-ms"},  // another school: not in the audience
};

std::string family_json(const test_family& f, int n) {
  const std::string phone = "+1202555" + std::to_string(1000 + n);
  return std::string(R"({"guardians": [{"id": "g-)") + f.id + R"(", "name": "Guardian )" +
         std::to_string(n) + R"(", "language": ")" + f.language + R"(", "phone": ")" + phone +
         R"(", "email": "g)" + std::to_string(n) + R"(@example.org", "time_zone": ")" + f.zone +
         R"(", "channels": ["sms", "email"]}], "students": [{"id": "s-)" + f.id +
         R"(", "name": "Student )" + std::to_string(n) + R"(", "school": ")" + f.school +
         R"(", "grade": "03"}]})";
}

constexpr const char* workshop = R"({
  "school": "lincoln-es",
  "audience": {"schools": ["lincoln-es"]},
  "channels": ["sms", "email"],
  "source_language": "en",
  "subject": "Parent Academy on {when, date, long}",
  "body": "Parent Academy: {topic} on {when, date, long} at {when, time, short}. Free childcare.",
  "translations": {
    "es": {"subject": "Academia de Padres el {when, date, long}",
           "body": "Academia de Padres: {topic} el {when, date, long} a las {when, time, short}. Cuidado de niños gratis."},
    "ar": {"subject": "أكاديمية الآباء {when, date, long}",
           "body": "أكاديمية الآباء: {topic} يوم {when, date, long}."},
    "vi": {"subject": "Học viện Phụ huynh {when, date, long}",
           "body": "Học viện Phụ huynh: {topic} vào {when, date, long} lúc {when, time, short}."}
  },
  "machine_translation": "if_no_human_translation",
  "arguments": {"topic": "reading", "when": "2026-12-03T18:30:00-05:00"}
})";

class announcements_test : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_.path() / "twilio-token") << twilio_token;
    liaisond_config(port_, redis_.socket_path())
        // Quiet hours off: this test runs at any time of day (quiet hours are tested with an
        // injected clock in announcement_fanout_test).
        .district(
            "name = \"Test District\"\n"
            "quiet_hours_start = \"00:00\"\nquiet_hours_end = \"00:00\"\n"
            "[district.schools]\nlincoln-es = \"Lincoln Elementary\"\n")
        .http("public_url = \"" + std::string(public_url) + "\"\n")
        .tables(
            "[workers]\nscheduler_interval = \"200ms\"\nblock_timeout = \"200ms\"\n"
            // Twilio only signs families' replies here; texts go to the outbox.
            "[[providers]]\nname = \"twilio\"\nkind = \"twilio\"\nchannels = [\"voice\"]\n"
            "base_url = \"http://127.0.0.1:9\"\naccount_sid = "
            "\"AC00000000000000000000000000000000\"\nfrom = \"+12025550100\"\n"
            "auth_token_file = \"" +
            (dir_.path() / "twilio-token").string() + "\"\n")
        .api_key("office", "coordinator", coordinator_key)
        .api_key("parks", "school", school_key, {"parks-ms"})
        .outbox(dir_.path(), {"sms", "email"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
  }

  http_reply call(const std::string& method, const std::string& target, const std::string& body,
                  const std::string& key = coordinator_key,
                  std::map<std::string, std::string> extra = {}) {
    return call_api(port_, method, target, body, key, std::move(extra));
  }

  void put_families() {
    int n = 0;
    for (const auto& f : families) {
      const auto reply = call("PUT", std::string("/v1/families/") + f.id, family_json(f, n++));
      ASSERT_EQ(reply.status, 201u) << reply.body;
    }
  }

  std::vector<boost::json::object> outbox_lines() const {
    std::vector<boost::json::object> lines;
    std::ifstream in(dir_.path() / "outbox" / "outbox.ndjson");
    for (std::string line; std::getline(in, line);) {
      lines.push_back(boost::json::parse(line).as_object());
    }
    return lines;
  }

  boost::json::object progress(const std::string& id) {
    const auto reply = call("GET", "/v1/announcements/" + id, "");
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return reply.status == 200 ? boost::json::parse(reply.body).as_object() : boost::json::object{};
  }

  std::size_t ann_keys() { return redis_.cli({"KEYS", "liaison:{q}:ann:*"}).empty() ? 0 : 1; }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(announcements_test, every_guardian_gets_it_once_per_channel_in_their_language) {
  put_families();
  // The English-speaking guardian texted STOP earlier.
  redis_.cli({"SADD", "liaison:{d}:optout:sms", "+12025551006"});

  const auto accepted = call("POST", "/v1/announcements", workshop);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const std::string id(boost::json::parse(accepted.body).at("id").as_string());

  // 8 guardians × (SMS + email) = 16 deliveries, one of them opted out: 15 sent.
  ASSERT_TRUE(eventually(
      [&] {
        const auto p = progress(id);
        return p.contains("totals") && p.at("totals").at("sent").as_int64() == 15;
      },
      std::chrono::seconds(20)))
      << boost::json::serialize(progress(id)) << daemon_->log();

  const auto lines = outbox_lines();
  ASSERT_EQ(lines.size(), 15u);
  std::map<std::string, boost::json::object> by_delivery;
  for (const auto& line : lines) {
    const std::string delivery(line.at("delivery_id").as_string());
    EXPECT_TRUE(by_delivery.emplace(delivery, line).second) << "twice: " << delivery;
  }
  auto text_of = [&](const std::string& family, const char* channel) {
    const auto it = by_delivery.find(id + ":" + family + ":g-" + family + ":" + channel);
    return it == by_delivery.end() ? std::string("(none)")
                                   : std::string(it->second.at("text").as_string());
  };
  // Human translations, dates in each guardian's zone (18:30 New York = 17:30 Chicago,
  // 15:30 Los Angeles).
  EXPECT_THAT(text_of("fam-es", "sms"), HasSubstr("Academia de Padres: reading el 3 de diciembre"));
  EXPECT_THAT(text_of("fam-es", "sms"), HasSubstr("17:30"));
  EXPECT_THAT(text_of("fam-es", "sms"), HasSubstr("Lincoln Elementary"));
  EXPECT_THAT(text_of("fam-ar", "sms"), HasSubstr("أكاديمية الآباء"));
  EXPECT_THAT(text_of("fam-vi", "sms"), HasSubstr("Học viện Phụ huynh"));
  EXPECT_THAT(text_of("fam-vi", "sms"), HasSubstr("15:30"));
  EXPECT_THAT(text_of("fam-en", "email"), HasSubstr("Parent Academy: reading"));
  EXPECT_EQ(text_of("fam-en", "sms"), "(none)");  // opted out
  // No human text and no translation provider: another language, with a note in the family's
  // own language when the catalog has it (Somali), and still a text for Gujarati.
  EXPECT_THAT(text_of("fam-so", "sms"), HasSubstr("Fariintan laguma heli karo"));
  EXPECT_THAT(text_of("fam-gu", "sms"), HasSubstr("reading"));
  EXPECT_EQ(text_of("fam-other", "sms"), "(none)");  // another school
  for (const auto& [delivery, line] : by_delivery) {
    if (line.at("channel") == "email") {
      EXPECT_TRUE(line.contains("subject")) << delivery;
    }
  }

  // The counts in GET match the outbox.
  const auto p = progress(id);
  EXPECT_EQ(p.at("state"), "fanned_out");
  EXPECT_EQ(p.at("fan_out").at("families").as_int64(), 8);
  EXPECT_EQ(p.at("totals").at("sent").as_int64(), 15);
  EXPECT_EQ(p.at("totals").at("opted_out").as_int64(), 1);
  EXPECT_EQ(p.at("totals").at("queued").as_int64(), 0);
  EXPECT_EQ(p.at("by_language").at("es-MX").at("sms").at("sent").as_int64(), 1);
  EXPECT_EQ(p.at("by_language").at("en").at("sms").at("opted_out").as_int64(), 1);

  // Who did what is in the audit log.
  EXPECT_THAT(redis_.cli({"XRANGE", "liaison:{q}:audit", "-", "+"}), HasSubstr("office"));

  // The operator's view: liaisonctl shows it finished, and exports one record per delivery.
  const auto config = shell_quote((dir_.path() / "liaison.toml").string());
  const auto status =
      run_command(std::string(LIAISONCTL_PATH) + " announcement " + id + " --config " + config);
  EXPECT_EQ(status.exit_code, 0) << status.output;
  EXPECT_THAT(status.output, HasSubstr("] 100%  fanned_out · families 8/8 · 16/16 deliveries done "
                                       "(sent 15, delivered 0, failed 0, opted out 1"));
  const auto watched = run_command(std::string(LIAISONCTL_PATH) + " announcement " + id +
                                   " --watch --config " + config);
  EXPECT_EQ(watched.exit_code, 0) << "--watch returns once nothing is on its way";
  const auto exported = run_command(std::string(LIAISONCTL_PATH) + " export --announcement " + id +
                                    " --config " + config);
  ASSERT_EQ(exported.exit_code, 0) << exported.output;
  EXPECT_THAT(exported.output, HasSubstr("liaisonctl: 16 records"));  // on stderr
  std::istringstream records(exported.output);
  std::size_t sent = 0;
  std::size_t total = 0;
  for (std::string line; std::getline(records, line);) {
    if (line.starts_with("liaisonctl:")) {
      continue;
    }
    boost::system::error_code bad_json;
    const auto parsed = boost::json::parse(line, bad_json);
    ASSERT_FALSE(bad_json) << "not JSON: " << line;
    const auto& record = parsed.as_object();
    EXPECT_EQ(record.at("announcement").as_string(), id);
    sent += record.at("state") == "sent" ? 1 : 0;
    ++total;
  }
  EXPECT_EQ(total, 16u);
  EXPECT_EQ(sent, 15u);
  const auto unknown =
      run_command(std::string(LIAISONCTL_PATH) + " announcement nope --config " + config);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.output, HasSubstr("no announcement nope"));
}

TEST_F(announcements_test, failures_are_listed_with_why_and_announcements_newest_first) {
  put_families();
  const auto accepted = call("POST", "/v1/announcements", workshop);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const std::string id(boost::json::parse(accepted.body).at("id").as_string());
  ASSERT_TRUE(eventually(
      [&] {
        const auto p = progress(id);
        return p.contains("totals") && p.at("totals").at("sent").as_int64() == 16;
      },
      std::chrono::seconds(20)))
      << daemon_->log();

  // The carrier reports two texts undelivered.
  for (const std::string family : {"fam-es", "fam-ar"}) {
    const auto target =
        "/v1/providers/twilio/status?delivery_id=" + id + ":" + family + ":g-" + family + ":sms";
    const form_params report = {
        {"MessageSid", "SM-" + family}, {"MessageStatus", "undelivered"}, {"ErrorCode", "30003"}};
    ASSERT_EQ(post_as_twilio(port_, public_url, twilio_token, target, report).status, 204u);
  }
  EXPECT_EQ(progress(id).at("totals").at("failed").as_int64(), 2);

  const auto listed = call("GET", "/v1/announcements/" + id + "/failures", "");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const auto all = boost::json::parse(listed.body).as_object();
  EXPECT_EQ(all.at("total").as_int64(), 2);
  EXPECT_TRUE(all.at("next").is_null());
  ASSERT_EQ(all.at("failures").as_array().size(), 2u);
  std::set<std::string> languages;
  for (const auto& f : all.at("failures").as_array()) {
    EXPECT_EQ(f.at("channel"), "sms");
    EXPECT_EQ(f.at("state"), "undelivered");
    EXPECT_EQ(f.at("reason"), "the provider reports undelivered (error 30003)");
    EXPECT_FALSE(f.at("failed_at").as_string().empty());
    languages.insert(std::string(f.at("language").as_string()));
  }
  EXPECT_EQ(languages, (std::set<std::string>{"ar", "es-MX"}));

  // Paged one at a time: the cursor leads to the other one, then to the end.
  const auto first_page =
      boost::json::parse(call("GET", "/v1/announcements/" + id + "/failures?limit=1", "").body);
  ASSERT_EQ(first_page.at("failures").as_array().size(), 1u);
  ASSERT_TRUE(first_page.at("next").is_string());
  const auto second_page =
      boost::json::parse(call("GET",
                              "/v1/announcements/" + id + "/failures?limit=1&after=" +
                                  std::string(first_page.at("next").as_string()),
                              "")
                             .body);
  ASSERT_EQ(second_page.at("failures").as_array().size(), 1u);
  EXPECT_NE(second_page.at("failures").at(0).at("delivery"),
            first_page.at("failures").at(0).at("delivery"));
  EXPECT_TRUE(second_page.at("next").is_null());

  // Bad paging is named; another school's key does not see the announcement at all.
  const auto bad_limit = call("GET", "/v1/announcements/" + id + "/failures?limit=0", "");
  EXPECT_EQ(bad_limit.status, 422u);
  EXPECT_THAT(bad_limit.body, HasSubstr("\"limit\""));
  EXPECT_EQ(call("GET", "/v1/announcements/" + id + "/failures?after=nope", "").status, 422u);
  EXPECT_EQ(call("GET", "/v1/announcements/" + id + "/failures", "", school_key).status, 404u);

  // The list of announcements: newest first, with their counts, paged.
  const auto again = call("POST", "/v1/announcements", workshop);
  ASSERT_EQ(again.status, 202u) << again.body;
  const std::string newer(boost::json::parse(again.body).at("id").as_string());
  const auto recent = call("GET", "/v1/announcements", "");
  ASSERT_EQ(recent.status, 200u) << recent.body;
  const auto recent_json = boost::json::parse(recent.body);
  const auto& announcements = recent_json.at("announcements").as_array();
  ASSERT_EQ(announcements.size(), 2u);
  EXPECT_EQ(announcements[0].at("id").as_string(), newer);
  EXPECT_EQ(announcements[1].at("id").as_string(), id);
  EXPECT_EQ(announcements[1].at("totals").at("failed").as_int64(), 2);
  EXPECT_EQ(announcements[1].at("subject"), "Parent Academy on {when, date, long}");
  const auto one = boost::json::parse(call("GET", "/v1/announcements?limit=1", "").body);
  ASSERT_EQ(one.at("announcements").as_array().size(), 1u);
  const auto older = boost::json::parse(
      call("GET", "/v1/announcements?limit=1&before=" + std::string(one.at("next").as_string()), "")
          .body);
  ASSERT_EQ(older.at("announcements").as_array().size(), 1u);
  EXPECT_EQ(older.at("announcements").at(0).at("id").as_string(), id);
  EXPECT_EQ(call("GET", "/v1/announcements?before=x", "").status, 422u);
  // A school key sees only its schools' announcements (these are Lincoln's).
  const auto theirs = boost::json::parse(call("GET", "/v1/announcements", "", school_key).body);
  EXPECT_TRUE(theirs.at("announcements").as_array().empty());
}

TEST_F(announcements_test, the_reach_report_counts_what_was_sent_and_who_replied) {
  put_families();
  redis_.cli({"SADD", "liaison:{d}:optout:sms", "+12025551006"});  // the English guardian
  const auto accepted = call("POST", "/v1/announcements", workshop);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const std::string id(boost::json::parse(accepted.body).at("id").as_string());
  ASSERT_TRUE(eventually(
      [&] {
        const auto p = progress(id);
        return p.contains("totals") && p.at("totals").at("sent").as_int64() == 15;
      },
      std::chrono::seconds(20)))
      << daemon_->log();
  // The Spanish-speaking guardian answers by SMS.
  const auto replied =
      text_as_twilio(port_, public_url, twilio_token, "+12025551000", "¿Hay estacionamiento?");
  ASSERT_EQ(replied.status, 200u) << replied.body;

  const auto report = call("GET", "/v1/reports/reach?from=2020-01-01", "");
  ASSERT_EQ(report.status, 200u) << report.body;
  const auto body = boost::json::parse(report.body);
  EXPECT_EQ(body.at("announcements"), 1);
  std::map<std::string, boost::json::object> by_language;
  for (const auto& row : body.at("languages").as_array()) {
    by_language[std::string(row.at("language").as_string())] = row.as_object();
  }
  ASSERT_EQ(by_language.size(), 8u) << report.body;  // the audience's eight languages
  const auto& es = by_language.at("es-MX");
  EXPECT_EQ(es.at("families"), 1);
  EXPECT_EQ(es.at("reached"), 1);
  EXPECT_EQ(es.at("replied"), 1);
  EXPECT_EQ(es.at("channels").at("sms").at("sent"), 1);
  EXPECT_EQ(es.at("channels").at("email").at("sent"), 1);
  const auto& en = by_language.at("en");
  EXPECT_EQ(en.at("reached"), 1);  // by email
  EXPECT_EQ(en.at("replied"), 0);
  EXPECT_EQ(en.at("channels").at("sms").at("opted_out"), 1);

  const auto csv = call("GET", "/v1/reports/reach?from=2020-01-01&format=csv", "");
  ASSERT_EQ(csv.status, 200u);
  EXPECT_THAT(csv.body, HasSubstr("es-MX,1,1,1,sms,0,0,1,0,0,0,0"));
  // A period without announcements is empty, and a school key may not read reports.
  const auto before = call("GET", "/v1/reports/reach?from=2020-01-01&to=2020-12-31", "");
  EXPECT_EQ(boost::json::parse(before.body).at("announcements"), 0);
  EXPECT_EQ(call("GET", "/v1/reports/reach", "", school_key).status, 403u);
  EXPECT_EQ(call("GET", "/v1/reports/reach?from=yesterday", "").status, 422u);
}

TEST_F(announcements_test, an_rsvp_asking_for_an_interpreter_files_one_request_per_family) {
  put_families();
  ASSERT_EQ(call("PUT", "/v1/interpreters/int-es",
                 R"({"name": "Lucía", "languages": ["es"], "phone": "+12025550177"})")
                .status,
            201u);
  const auto start = format_rfc3339_utc(std::chrono::floor<std::chrono::minutes>(
      std::chrono::system_clock::now() + std::chrono::days(10)));
  const auto accepted = call("POST", "/v1/announcements",
                             R"({
      "school": "lincoln-es", "audience": {"schools": ["lincoln-es"]}, "channels": ["sms"],
      "source_language": "en",
      "body": "Parent Academy next week. Reply 1 to register, 3 if you need an interpreter.",
      "rsvp": {"options": [
        {"label": "register", "answers": ["1"]},
        {"label": "interpreter", "answers": ["3"],
         "interpretation": {"meeting_type": "other", "mode": "in_person", "start": ")" +
                                 start +
                                 R"(",
                            "duration_minutes": 90, "location": "Library"}}]}})");
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const std::string id(boost::json::parse(accepted.body).at("id").as_string());
  ASSERT_TRUE(eventually(
      [&] {
        const auto p = progress(id);
        return p.contains("totals") && p.at("totals").at("sent").as_int64() == 8;
      },
      std::chrono::seconds(20)))
      << daemon_->log();

  // The Spanish-speaking guardian answers 3, twice.
  for (int i = 0; i < 2; ++i) {
    const auto answered = text_as_twilio(port_, public_url, twilio_token, "+12025551000", "3");
    ASSERT_EQ(answered.status, 200u) << answered.body;
  }
  const auto listed = call("GET", "/v1/interpretation-requests", "");
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const auto listed_json = boost::json::parse(listed.body);
  const auto& requests = listed_json.at("requests").as_array();
  ASSERT_EQ(requests.size(), 1u) << listed.body;
  const auto& request = requests[0];
  EXPECT_EQ(request.at("family_id"), "fam-es");
  EXPECT_EQ(request.at("language"), "es-MX");
  EXPECT_EQ(request.at("school"), "lincoln-es");
  EXPECT_EQ(request.at("location"), "Library");
  EXPECT_EQ(request.at("state"), "offered");  // to the Spanish interpreter
  EXPECT_EQ(std::string(request.at("created_by").as_string()), "rsvp:" + id);
  const auto options = progress(id).at("rsvp").at("options").as_array();
  ASSERT_EQ(options.size(), 2u);
  EXPECT_EQ(options[1].at("label"), "interpreter");
  EXPECT_EQ(options[1].at("answers"), 1);

  // A template that cannot become a request is refused with its field.
  const auto bad = call("POST", "/v1/announcements",
                        R"({
      "school": "lincoln-es", "audience": {"schools": ["lincoln-es"]}, "channels": ["sms"],
      "body": "Reply 3 for an interpreter.",
      "rsvp": {"options": [{"label": "interpreter", "answers": ["3"],
                            "interpretation": {"mode": "by pigeon", "start": ")" +
                            start + R"("}}]}})");
  EXPECT_EQ(bad.status, 422u);
  EXPECT_THAT(bad.body, HasSubstr("rsvp.options[0].interpretation.mode"));
}

TEST_F(announcements_test, bad_input_is_422_with_the_field_and_nothing_is_written) {
  put_families();
  std::string unknown_school = workshop;
  const std::string known = R"("schools": ["lincoln-es"])";
  unknown_school.replace(unknown_school.find(known), known.size(), R"("schools": ["lincon-es"])");
  auto reply = call("POST", "/v1/announcements", unknown_school);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(reply.body, HasSubstr("audience.schools[0]"));

  std::string bad_pattern = workshop;
  bad_pattern.replace(bad_pattern.find("{topic} on"), 10, "{topic, plural, on");
  reply = call("POST", "/v1/announcements", bad_pattern);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(reply.body, HasSubstr("\"body\""));

  reply = call("POST", "/v1/announcements", "{\"audience\": ");
  EXPECT_EQ(reply.status, 400u);

  // A school key may not announce for another school.
  reply = call("POST", "/v1/announcements", workshop, school_key);
  EXPECT_EQ(reply.status, 422u);
  EXPECT_THAT(reply.body, HasSubstr("audience.schools[0]"));

  EXPECT_EQ(ann_keys(), 0u);
  EXPECT_EQ(redis_.cli({"ZCARD", "liaison:{q}:fanout"}), "0");
}

TEST_F(announcements_test, a_message_to_a_family_reaches_its_guardian_in_their_language) {
  put_families();
  const std::string notice = R"({
    "to": {"family_id": "fam-es", "guardian_id": "g-fam-es"},
    "school": "lincoln-es", "channels": ["sms"], "priority": "urgent", "source_language": "en",
    "body": "{student_names} was absent today. Please call the school.",
    "translations": {"es": {"body": "{student_names} faltó hoy a clases. Llame a la escuela."}}
  })";
  const auto reply = call("POST", "/v1/messages", notice);
  ASSERT_EQ(reply.status, 202u) << reply.body;
  ASSERT_TRUE(eventually([&] { return outbox_lines().size() == 1; })) << daemon_->log();
  const auto line = outbox_lines().front();
  EXPECT_EQ(line.at("address"), "+12025551000");
  EXPECT_THAT(std::string(line.at("text").as_string()), HasSubstr("Student 0 faltó hoy"));

  // Another school's key does not reach the family; a guardian not in it is named as such.
  std::string from_parks = notice;
  from_parks.replace(from_parks.find("lincoln-es"), 10, "parks-ms");
  auto other = call("POST", "/v1/messages", from_parks, school_key);
  EXPECT_EQ(other.status, 422u);
  EXPECT_THAT(other.body, HasSubstr("to.family_id"));
  std::string stranger = notice;
  stranger.replace(stranger.find("g-fam-es"), 8, "g-nobody");
  other = call("POST", "/v1/messages", stranger);
  EXPECT_EQ(other.status, 422u);
  EXPECT_THAT(other.body, HasSubstr("to.guardian_id"));
}

TEST_F(announcements_test, preview_shows_each_language_and_the_cost_without_sending) {
  put_families();
  const auto reply = call("POST", "/v1/announcements/preview", workshop);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto preview = boost::json::parse(reply.body).as_object();
  EXPECT_EQ(preview.at("families").as_int64(), 8);
  std::map<std::string, boost::json::object> by_language;
  long long reached = 0;
  long long segments = 0;
  for (const auto& l : preview.at("languages").as_array()) {
    const auto& language = l.as_object();
    by_language[std::string(language.at("language").as_string())] = language;
    reached += language.at("families").as_int64();
    segments += language.at("families").as_int64() *
                language.at("channels").at("sms").at("segments").as_int64();
  }
  EXPECT_EQ(reached, 8);  // one guardian language per family here
  EXPECT_EQ(preview.at("sms_segments_estimate").as_int64(), segments);
  EXPECT_GT(segments, 8);
  EXPECT_EQ(by_language.at("ar").at("direction"), "rtl");
  EXPECT_EQ(by_language.at("ar").at("channels").at("sms").at("encoding"), "UCS-2");
  EXPECT_THAT(std::string(by_language.at("es-MX").at("channels").at("sms").at("text").as_string()),
              HasSubstr("Academia de Padres"));
  EXPECT_EQ(by_language.at("so").at("fallback"), true);
  EXPECT_EQ(by_language.at("es-MX").at("text_language"), "es");
  // Nothing was stored or sent.
  EXPECT_EQ(ann_keys(), 0u);
  EXPECT_EQ(redis_.cli({"KEYS", "liaison:{d}:audience*"}), "");
  EXPECT_TRUE(outbox_lines().empty());
}

TEST_F(announcements_test, scheduled_announcement_can_be_cancelled_before_it_goes) {
  put_families();
  std::string later = workshop;
  later.insert(later.rfind('}'), R"(, "send_at": "2099-01-01T00:00:00Z")");
  auto reply = call("POST", "/v1/announcements", later);
  EXPECT_EQ(reply.status, 422u);  // more than a year ahead

  const auto in_an_hour = std::chrono::system_clock::now() + std::chrono::hours(1);
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(in_an_hour.time_since_epoch()).count();
  std::time_t t = seconds;
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  later = workshop;
  later.insert(later.rfind('}'), std::string(R"(, "send_at": ")") + stamp + "\"");
  reply = call("POST", "/v1/announcements", later, coordinator_key,
               {{"Idempotency-Key", "workshop-reminder-1"}});
  ASSERT_EQ(reply.status, 202u) << reply.body;
  const std::string id(boost::json::parse(reply.body).at("id").as_string());
  // The same request again: the same announcement, nothing new.
  const auto replay = call("POST", "/v1/announcements", later, coordinator_key,
                           {{"Idempotency-Key", "workshop-reminder-1"}});
  ASSERT_EQ(replay.status, 202u);
  EXPECT_EQ(boost::json::parse(replay.body).at("id").as_string(), id);

  EXPECT_EQ(progress(id).at("state"), "scheduled");
  const auto cancelled = call("POST", "/v1/announcements/" + id + "/cancel", "");
  ASSERT_EQ(cancelled.status, 200u) << cancelled.body;
  EXPECT_EQ(boost::json::parse(cancelled.body).at("state"), "cancelled");
  EXPECT_EQ(boost::json::parse(cancelled.body).at("cancelled_by"), "office");
  EXPECT_EQ(redis_.cli({"ZCARD", "liaison:{q}:fanout"}), "0");
  // Another school's key does not even see it.
  EXPECT_EQ(call("GET", "/v1/announcements/" + id, "", school_key).status, 404u);
  EXPECT_TRUE(outbox_lines().empty());
}

}  // namespace
}  // namespace liaison::testing
