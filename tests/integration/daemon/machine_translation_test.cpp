// Machine translation end to end: the real liaisond, a private redis-server and a real Apertium
// APy server. An English announcement that allows machine translation reaches a Spanish-speaking
// family that has no human translation in Spanish, with the Spanish notice; the preview shows
// the same text. Skips (with the reason) only when APy or its English-Spanish pair is missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "tests/support/apertium_server.hpp"
#include "tests/support/daemon_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/liaisond_config.hpp"
#include "tests/support/redis_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace liaison::testing {
namespace {

using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* admin_key = "machine-translation-admin-key";

constexpr const char* closing = R"({
  "school": "lincoln-es",
  "audience": {"schools": ["lincoln-es"]},
  "channels": ["sms"],
  "source_language": "en",
  "subject": "School closed",
  "body": "Dear {guardian_name}, the school is closed today because of snow.",
  "machine_translation": "if_no_human_translation"
})";

std::string family_json(const char* id, const char* language, const char* phone) {
  return std::string(R"({"guardians": [{"id": "g-)") + id + R"(", "name": "Ana", "language": ")" +
         language + R"(", "phone": ")" + phone +
         R"(", "time_zone": "America/Chicago", "channels": ["sms"]}], "students": [{"id": "s-)" +
         id + R"(", "name": "Luis", "school": "lincoln-es", "grade": "03"}]})";
}

class machine_translation_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const auto why = apertium_missing(); !why.empty()) {
      GTEST_SKIP() << why;
    }
    apertium_ = std::make_unique<apertium_server>();
    liaisond_config(port_, redis_.socket_path())
        .district(
            "quiet_hours_start = \"00:00\"\nquiet_hours_end = \"00:00\"\n"
            "[district.schools]\nlincoln-es = \"Lincoln Elementary\"\n")
        .tables(
            "[workers]\nscheduler_interval = \"200ms\"\nblock_timeout = \"200ms\"\n"
            "[translation]\nprovider = \"apertium\"\nurl = \"" +
            apertium_->url() + "\"\ntimeout = \"30s\"\n")
        .api_key("office", "admin", admin_key)
        .outbox(dir_.path(), {"sms"})
        .write(dir_.path() / "liaison.toml");
    daemon_ = std::make_unique<daemon_process>(LIAISOND_PATH, dir_.path() / "liaison.toml", port_,
                                               dir_.path() / "liaisond.log");
    for (const auto& [id, language, phone] : {std::tuple{"fam-es", "es-MX", "+12025550101"},
                                              std::tuple{"fam-en", "en", "+12025550102"}}) {
      const auto reply = call_api(port_, "PUT", std::string("/v1/families/") + id,
                                  family_json(id, language, phone), admin_key, {});
      ASSERT_EQ(reply.status, 201u) << reply.body;
    }
  }

  std::map<std::string, std::string> sms_by_family() const {
    std::map<std::string, std::string> texts;
    std::ifstream in(dir_.path() / "outbox" / "outbox.ndjson");
    for (std::string line; std::getline(in, line);) {
      const auto entry = boost::json::parse(line).as_object();
      const std::string delivery(entry.at("delivery_id").as_string());
      for (const char* family : {"fam-es", "fam-en"}) {
        if (delivery.find(std::string(":") + family + ":") != std::string::npos) {
          texts[family] = std::string(entry.at("text").as_string());
        }
      }
    }
    return texts;
  }

  temp_dir dir_;
  redis_server redis_;
  std::uint16_t port_ = free_tcp_port();
  std::unique_ptr<apertium_server> apertium_;
  std::unique_ptr<daemon_process> daemon_;
};

TEST_F(machine_translation_test,
       a_spanish_family_gets_the_announcement_in_spanish_with_the_notice) {
  const auto accepted = call_api(port_, "POST", "/v1/announcements", closing, admin_key, {});
  ASSERT_EQ(accepted.status, 202u) << accepted.body;

  ASSERT_TRUE(eventually([&] { return sms_by_family().size() == 2; }, std::chrono::seconds(60)))
      << daemon_->log() << "\n"
      << apertium_->log();
  const auto texts = sms_by_family();
  const auto& spanish = texts.at("fam-es");
  EXPECT_THAT(spanish, HasSubstr("Ana"));  // the argument survived the translation
  EXPECT_THAT(spanish, HasSubstr("escuela"));
  EXPECT_THAT(spanish, AnyOf(HasSubstr("nieve"), HasSubstr("Nieve")));
  EXPECT_THAT(spanish, HasSubstr("Este mensaje fue traducido automáticamente."));
  EXPECT_THAT(spanish, Not(HasSubstr("the school is closed")));
  EXPECT_THAT(texts.at("fam-en"), HasSubstr("the school is closed today"));
  EXPECT_THAT(texts.at("fam-en"), Not(HasSubstr("translated automatically")));
  // The translation is cached (and stored with the announcement) in Redis.
  EXPECT_NE(redis_.cli({"KEYS", "liaison:{mt}:apertium:en:es:*"}), "");
}

TEST_F(machine_translation_test, the_preview_shows_the_machine_translation) {
  const auto reply = call_api(port_, "POST", "/v1/announcements/preview", closing, admin_key, {});
  ASSERT_EQ(reply.status, 200u) << reply.body;
  const auto preview = boost::json::parse(reply.body).as_object();
  bool seen = false;
  for (const auto& l : preview.at("languages").as_array()) {
    if (l.at("language") != "es-MX") {
      continue;
    }
    seen = true;
    EXPECT_EQ(l.at("text_source"), "machine_translation") << reply.body;
    const std::string text(l.at("channels").at("sms").at("text").as_string());
    EXPECT_THAT(text, HasSubstr("escuela"));
    EXPECT_THAT(text, HasSubstr("Este mensaje fue traducido automáticamente."));
  }
  EXPECT_TRUE(seen) << reply.body;
}

}  // namespace
}  // namespace liaison::testing
