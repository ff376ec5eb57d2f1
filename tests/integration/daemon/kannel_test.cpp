// Kannel end to end: the real liaisond sends an SMS through Kannel's smsbox and bearerbox
// (Debian's `kannel`), whose HTTP SMSC hands it to a small SMSC on loopback; the SMSC reports
// the delivery back through bearerbox, smsbox fetches our signed dlr-url, and the delivery
// becomes `delivered`. Skipped only when Kannel is not installed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>

#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/peer_process.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/stub_http_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* admin_key = "kannel-admin-key";
constexpr const char* sendsms_password = "kannel-sendsms-password";
// The secret in smsbox's get-url that authenticates MO messages to liaisond.
constexpr const char* mo_token = "5f1c0ffee0ddba11ab1e5eedfacade00c0ffee0ddba11ab1e5eedfacade00aa";

// Kannel's daemons live in /usr/sbin, which is not on every user's PATH.
std::optional<fs::path> find_program(const std::string& name) {
  std::vector<fs::path> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest = path;
    while (!rest.empty()) {
      const auto colon = rest.find(':');
      dirs.emplace_back(rest.substr(0, colon));
      rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
    }
  }
  dirs.emplace_back("/usr/sbin");
  dirs.emplace_back("/usr/local/sbin");
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (fs::is_regular_file(dir / name, ec)) {
      return dir / name;
    }
  }
  return std::nullopt;
}

// The query of a request target, decoded as a form (Kannel writes a space as '+').
std::map<std::string, std::string> query_of(const std::string& target) {
  std::map<std::string, std::string> out;
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) {
    return out;
  }
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  for (const auto& p : url->encoded_params()) {
    out[p.key.decode(form)] = p.value.decode(form);
  }
  return out;
}

// bearerbox and smsbox with one HTTP SMSC (`system-type = generic`) that sends each message to
// `smsc_url`/send and takes delivery reports on its own port.
std::string kannel_conf(const fs::path& dir, std::uint16_t admin_port, std::uint16_t box_port,
                        std::uint16_t smsc_port, std::uint16_t sendsms_port,
                        const std::string& smsc_url, const std::string& liaison_url) {
  const auto log = [&dir](const char* name) { return "\"" + (dir / name).string() + "\""; };
  std::string conf;
  conf += "group = core\n";
  conf += "admin-port = " + std::to_string(admin_port) + "\n";
  conf += "admin-interface = 127.0.0.1\nadmin-password = kannel-admin\n";
  conf += "admin-allow-ip = \"127.0.0.1\"\n";
  conf += "smsbox-port = " + std::to_string(box_port) + "\nsmsbox-interface = 127.0.0.1\n";
  conf += "box-allow-ip = \"127.0.0.1\"\n";
  conf += "log-file = " + log("bearerbox.log") + "\nlog-level = 0\n";
  conf += "access-log = " + log("bearerbox-access.log") + "\n";
  conf += "dlr-storage = internal\n\n";
  // The SMSC: %p is the receiver, %P the sender, %b the text (alt-charset makes it UTF-8 also
  // for UCS-2 messages), %I Kannel's message id, which the SMSC quotes in its report.
  conf += "group = smsc\nsmsc = http\nsmsc-id = stub\nsystem-type = generic\n";
  conf += "port = " + std::to_string(smsc_port) + "\nconnect-allow-ip = \"127.0.0.1\"\n";
  conf += "send-url = \"" + smsc_url + "/send?to=%p&from=%P&text=%b&id=%I\"\n";
  conf += "status-success-regex = \"^ok\"\nalt-charset = \"UTF-8\"\n\n";
  conf += "group = smsbox\nbearerbox-host = 127.0.0.1\n";
  conf += "bearerbox-port = " + std::to_string(box_port) + "\n";
  conf += "sendsms-port = " + std::to_string(sendsms_port) + "\nsendsms-interface = 127.0.0.1\n";
  conf += "log-file = " + log("smsbox.log") + "\nlog-level = 0\n";
  conf += "access-log = " + log("smsbox-access.log") + "\n\n";
  conf += "group = sendsms-user\nusername = liaison\npassword = " + std::string(sendsms_password) +
          "\nmax-messages = 10\nconcatenation = true\n\n";
  // Messages from phones go to liaisond's MO route, as docs/channels.md tells districts to
  // configure it: the token in the URL, %p sender, %P receiver, %a the text; liaisond's answer
  // (a STOP confirmation…) is sent back to the phone, and an empty answer sends nothing.
  conf += "group = sms-service\nkeyword = default\ncatch-all = true\n";
  conf += "get-url = \"" + liaison_url + "/v1/providers/kannel/mo?token=" + mo_token +
          "&from=%p&to=%P&text=%a\"\n";
  conf += "max-messages = 3\nconcatenation = true\nomit-empty = true\n";
  // liaisond says X-Kannel-Coding: 2 for replies GSM-7 cannot carry ("recibirá").
  conf += "accept-x-kannel-headers = true\n";
  return conf;
}

class kannel_test : public ::testing::Test {
 protected:
  // Starts bearerbox and smsbox on fresh ports (smsbox's sendsms on `sendsms_port`) and waits
  // until they are ready; on failure, stops what was started and says why.
  std::string start_kannel(const std::filesystem::path& bearerbox,
                           const std::filesystem::path& smsbox, std::uint16_t sendsms_port) {
    smsbox_.reset();
    bearerbox_.reset();
    smsc_port_ = free_tcp_port();
    const auto admin_port = free_tcp_port();
    const auto box_port = free_tcp_port();
    std::ofstream(dir_.path() / "kannel.conf")
        << kannel_conf(dir_.path(), admin_port, box_port, smsc_port_, sendsms_port, smsc_.url(),
                       "http://127.0.0.1:" + std::to_string(port_));
    try {
      bearerbox_ = std::make_unique<peer_process>(
          std::vector<std::string>{bearerbox.string(), (dir_.path() / "kannel.conf").string()},
          box_port, dir_.path() / "bearerbox.out");
      smsbox_ = std::make_unique<peer_process>(
          std::vector<std::string>{smsbox.string(), (dir_.path() / "kannel.conf").string()},
          sendsms_port, dir_.path() / "smsbox.out");
    } catch (const std::runtime_error& e) {
      smsbox_.reset();
      bearerbox_.reset();
      return e.what();
    }
    // smsbox answers on its port before it has connected to bearerbox (on this machine, tens of
    // status polls later), and a message it gets meanwhile fails and waits for liaisond's retry,
    // longer than a test waits. Ready is when bearerbox lists the smsbox and the SMSC online.
    std::string status;
    kannel_ready_ = eventually(
        [&] {
          try {
            status =
                send_http(admin_port, {"GET", "/status.txt?password=kannel-admin", {}, {}}).body;
          } catch (const std::runtime_error& e) {  // bearerbox is gone (its ports were taken)
            status = e.what();
            return false;
          }
          return status.find("smsbox:") != std::string::npos &&
                 status.find("(online") != std::string::npos;
        },
        20s);
    if (!kannel_ready_) {
      smsbox_.reset();
      bearerbox_.reset();
    }
    return "bearerbox status:\n" + status;
  }

  void SetUp() override {
    const auto bearerbox = find_program("bearerbox");
    const auto smsbox = find_program("smsbox");
    if (!bearerbox || !smsbox) {
      GTEST_SKIP() << "Kannel is not installed (Debian package `kannel`; "
                      "scripts/install-deps --for-tests installs it)";
    }
    // Kannel's ports are picked free and handed to it, so another test may take one in between;
    // then bearerbox or smsbox cannot listen, and Kannel is started again on other ports.
    std::string why;
    std::uint16_t sendsms_port = 0;
    for (int attempt = 1; attempt <= 3 && !kannel_ready_; ++attempt) {
      sendsms_port = free_tcp_port();
      why = start_kannel(*bearerbox, *smsbox, sendsms_port);
    }
    ASSERT_TRUE(kannel_ready_) << "Kannel is not ready after three starts:\n" << why;

    std::ofstream(dir_.path() / "kannel-password") << sendsms_password;
    std::ofstream(dir_.path() / "kannel-dlr-secret") << "dlr-secret-for-the-test";
    std::ofstream(dir_.path() / "kannel-mo-token") << mo_token;
    liaisond_config(port_, redis_.socket_path())
        .http("public_url = \"http://127.0.0.1:" + std::to_string(port_) + "\"\n")
        .api_key("admin", "admin", admin_key)
        .tables(
            "[workers]\nblock_timeout = \"200ms\"\n"
            "[[providers]]\nname = \"district-smsc\"\nkind = \"kannel\"\n"
            "channels = [\"sms\"]\nbase_url = \"http://127.0.0.1:" +
            std::to_string(sendsms_port) +
            "\"\nusername = \"liaison\"\nfrom = \"12345\"\n"
            "password_file = \"" +
            (dir_.path() / "kannel-password").string() + "\"\ndlr_secret_file = \"" +
            (dir_.path() / "kannel-dlr-secret").string() + "\"\nmo_token_file = \"" +
            (dir_.path() / "kannel-mo-token").string() + "\"\n")
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
  }

  // The SMSC's side of a delivery report: it quotes Kannel's message id to bearerbox's HTTP
  // SMSC port, which matches it with the message and passes the report on to smsbox.
  void smsc_reports(const std::string& kannel_id, const std::string& to, int type) {
    const auto reply =
        send_http(smsc_port_, {"GET",
                               "/?dlr-mid=" + kannel_id + "&dlr-mask=" + std::to_string(type) +
                                   "&to=" + to + "&text=DELIVRD",
                               {},
                               {}});
    ASSERT_LT(reply.status, 300u) << reply.body << bearerbox_->log();
  }

  // A phone's message, as the SMSC hands it to bearerbox's HTTP SMSC port.
  void phone_sends(const std::string& from, const std::string& text) {
    const auto reply =
        send_http(smsc_port_, {"GET", "/?from=" + from + "&to=12345&text=" + text, {}, {}});
    ASSERT_LT(reply.status, 300u) << reply.body << bearerbox_->log();
  }

  // What the SMSC was asked to send to `to`.
  std::vector<std::string> texts_to(const std::string& to) {
    std::vector<std::string> texts;
    for (const auto& request : smsc_.requests()) {
      const auto query = query_of(request.target);
      if (query.contains("to") && query.at("to") == to) {
        texts.push_back(query.at("text"));
      }
    }
    return texts;
  }

  boost::json::value family() {
    const auto reply = call_api(port_, "GET", "/v1/families/fam-1", "", admin_key);
    EXPECT_EQ(reply.status, 200u) << reply.body;
    return boost::json::parse(reply.body);
  }

  std::string message_state(const std::string& id) {
    const auto reply = call_api(port_, "GET", "/v1/messages/" + id, "", admin_key);
    if (reply.status != 200) {
      return "HTTP " + std::to_string(reply.status);
    }
    const auto json = boost::json::parse(reply.body);
    return std::string(json.at("state").as_string());
  }

  std::string logs() const {
    return "\n--- liaisond\n" + daemon_->log() + "\n--- bearerbox\n" + bearerbox_->log() +
           "\n--- smsbox\n" + smsbox_->log();
  }

  temp_dir dir_;
  redis_server redis_;
  // The SMSC: accepts every message ("ok" matches status-success-regex).
  stub_http_server smsc_{[](const stub_request&) {
    stub_response res;
    res.body = "ok";
    return res;
  }};
  std::uint16_t smsc_port_ = 0;  // bearerbox's HTTP SMSC listens here (start_kannel picks it)
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<peer_process> bearerbox_;
  std::unique_ptr<peer_process> smsbox_;
  bool kannel_ready_ = false;
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(kannel_test, a_message_reaches_the_smsc_and_its_delivery_report_marks_it_delivered) {
  const std::string text = "Mañana no hay clases por la nieve. ¡Abríguense!";
  const auto accepted = call_api(port_, "POST", "/v1/messages",
                                 R"({"to": {"phone": "+12025550143"}, "channel": "sms",
                                     "language": "es", "body": ")" +
                                     text + R"("})",
                                 admin_key);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const auto id = std::string(boost::json::parse(accepted.body).at("id").as_string());

  // Through smsbox and bearerbox to the SMSC, with the exact text and number.
  ASSERT_TRUE(eventually([&] { return !smsc_.requests().empty(); }, 20s)) << logs();
  const auto request = smsc_.requests().front();
  const auto query = query_of(request.target);
  EXPECT_EQ(query.at("to"), "+12025550143");
  EXPECT_EQ(query.at("from"), "12345");
  EXPECT_EQ(query.at("text"), text);
  ASSERT_FALSE(query.at("id").empty());
  ASSERT_TRUE(eventually([&] { return message_state(id) == "sent"; })) << logs();

  // The SMSC reports the handset got it: the report comes back to liaisond.
  smsc_reports(query.at("id"), "%2B12025550143", 1);
  EXPECT_TRUE(eventually([&] { return message_state(id) == "delivered"; }, 20s)) << logs();
  const auto shown = call_api(port_, "GET", "/v1/messages/" + id, "", admin_key);
  EXPECT_THAT(shown.body, ::testing::HasSubstr(R"("provider_status":"delivered")"));
  // The call and both reports (submitted, delivered) are counted.
  const auto metrics = send_http(port_, {"GET", "/metrics", {}, {}}).body;
  EXPECT_THAT(metrics,
              ::testing::HasSubstr(
                  R"(liaison_provider_calls_total{outcome="sent",provider="district-smsc"} 1)"));
  EXPECT_THAT(metrics,
              ::testing::HasSubstr(
                  R"(liaison_provider_call_duration_seconds_count{provider="district-smsc"} 1)"));
}

TEST_F(kannel_test, a_failure_reported_by_the_smsc_marks_the_message_undelivered) {
  const auto accepted = call_api(port_, "POST", "/v1/messages",
                                 R"({"to": {"phone": "+12025550144"}, "channel": "sms",
                                     "language": "en", "body": "School closes early today"})",
                                 admin_key);
  ASSERT_EQ(accepted.status, 202u) << accepted.body;
  const auto id = std::string(boost::json::parse(accepted.body).at("id").as_string());
  ASSERT_TRUE(eventually([&] { return !smsc_.requests().empty(); }, 20s)) << logs();
  const auto query = query_of(smsc_.requests().front().target);
  ASSERT_TRUE(eventually([&] { return message_state(id) == "sent"; })) << logs();

  smsc_reports(query.at("id"), "%2B12025550144", 2);
  EXPECT_TRUE(eventually([&] { return message_state(id) == "undelivered"; }, 20s)) << logs();
}

TEST_F(kannel_test, a_spanish_stop_from_a_phone_opts_the_guardian_out_and_is_confirmed_in_spanish) {
  const auto put = call_api(port_, "PUT", "/v1/families/fam-1",
                            R"({"guardians": [{"id": "g-1", "name": "Rosa", "language": "es-MX",
                                 "phone": "+12025550111"}],
                                "students": [{"id": "s-1", "school": "lincoln-es", "grade": "02"}]})",
                            admin_key);
  ASSERT_EQ(put.status, 201u) << put.body;

  phone_sends("%2B12025550111", "PARAR");
  // smsbox called liaisond, which stored the opt-out and answered with the confirmation, which
  // smsbox sent back through bearerbox to the SMSC, addressed to the phone.
  ASSERT_TRUE(eventually([&] { return !texts_to("+12025550111").empty(); }, 20s)) << logs();
  // "recibirá" needs UCS-2 (X-Kannel-Coding: 2), 70 characters a part: the phone joins the
  // concatenated parts smsbox split it into.
  ASSERT_TRUE(eventually([&] { return texts_to("+12025550111").size() == 2; }, 20s)) << logs();
  const auto parts = texts_to("+12025550111");
  EXPECT_EQ(parts[0] + parts[1],
            "Ya no recibirá mensajes de texto de la escuela. Responda START para volver a "
            "recibirlos.");
  EXPECT_EQ(family().at("guardians").at(0).at("opted_out"), boost::json::array({"sms"}));
  const auto metrics = send_http(port_, {"GET", "/metrics", {}, {}}).body;
  EXPECT_THAT(metrics, ::testing::HasSubstr(
                           R"(liaison_provider_callbacks_total{provider="kannel",reason="",)"
                           R"(result="accepted"} 1)"));
}

TEST_F(kannel_test, free_text_from_a_phone_is_filed_and_gets_no_reply) {
  const auto put = call_api(port_, "PUT", "/v1/families/fam-1",
                            R"({"guardians": [{"id": "g-1", "name": "Rosa", "language": "es-MX",
                                 "phone": "+12025550111"}],
                                "students": [{"id": "s-1", "school": "lincoln-es", "grade": "02"}]})",
                            admin_key);
  ASSERT_EQ(put.status, 201u) << put.body;
  phone_sends("%2B12025550111",
              "%C2%BFA+qu%C3%A9+hora+es+el+taller%3F");  // ¿A qué hora es el taller?
  ASSERT_TRUE(eventually(
      [&] {
        const auto listed =
            call_api(port_, "GET", "/v1/conversations?family_id=fam-1", "", admin_key);
        return listed.status == 200 &&
               boost::json::parse(listed.body).at("entries").as_array().size() == 1;
      },
      20s))
      << logs();
  const auto listed = call_api(port_, "GET", "/v1/conversations?family_id=fam-1", "", admin_key);
  EXPECT_EQ(boost::json::parse(listed.body).at("entries").at(0).at("text"),
            "¿A qué hora es el taller?");
  EXPECT_TRUE(texts_to("+12025550111").empty());  // omit-empty: no SMS back
}

TEST_F(kannel_test, a_forged_mo_is_refused_and_changes_nothing) {
  const auto forged = send_http(
      port_, {"GET", "/v1/providers/kannel/mo?token=guess&from=%2B12025550111&text=PARAR", {}, {}});
  EXPECT_EQ(forged.status, 403u);
  EXPECT_EQ(redis_.cli({"SISMEMBER", "liaison:{d}:optout:sms", "+12025550111"}), "0");
}

}  // namespace
}  // namespace liaison::testing
