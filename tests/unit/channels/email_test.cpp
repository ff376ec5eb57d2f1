// Email's pure parts: RFC 2047 words, mailboxes, HTML rendering, SMTP reply classification.
#include "channels/email.hpp"

#include <gtest/gtest.h>

#include "channels/smtp.hpp"
#include "support/crypto.hpp"

namespace liaison::channels {
namespace {

TEST(encoded_words, leave_plain_ascii_alone) {
  EXPECT_EQ(encode_header_words("Snow day"), "Snow day");
}

TEST(encoded_words, encode_utf8_as_base64_words) {
  EXPECT_EQ(encode_header_words("Mañana"), "=?UTF-8?B?" + base64_encode("Mañana") + "?=");
}

TEST(encoded_words, never_exceed_75_characters_nor_split_a_character) {
  std::string subject;
  for (int i = 0; i < 30; ++i) {
    subject += "会";  // 3 bytes each
  }
  subject += "😀é";
  const auto encoded = encode_header_words(subject);
  std::string decoded_again;
  std::size_t start = 0;
  while (start < encoded.size()) {
    auto end = encoded.find(' ', start);
    if (end == std::string::npos) {
      end = encoded.size();
    }
    const auto word = encoded.substr(start, end - start);
    EXPECT_LE(word.size(), 75u) << word;
    ASSERT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?="));
    start = end + 1;
  }
  // Each word's text is whole characters: 45 bytes = 15 of the 3-byte characters.
  EXPECT_EQ(encoded.substr(0, encoded.find(' ')),
            "=?UTF-8?B?" + base64_encode(subject.substr(0, 45)) + "?=");
}

TEST(mailbox, parses_a_display_name_and_a_bare_address) {
  const auto named = parse_mailbox("Escuelas de Springfield <avisos@springfield.example>");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->display_name, "Escuelas de Springfield");
  EXPECT_EQ(named->address, "avisos@springfield.example");
  const auto bare = parse_mailbox("noreply@d.example");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->display_name, "");
  EXPECT_FALSE(parse_mailbox("not an address"));
  EXPECT_FALSE(parse_mailbox("Name <broken"));
}

TEST(mailbox, formats_non_ascii_names_as_encoded_words) {
  EXPECT_EQ(format_mailbox({"Escuelas", "a@b.example"}), "\"Escuelas\" <a@b.example>");
  EXPECT_EQ(format_mailbox({"Écoles", "a@b.example"}),
            "=?UTF-8?B?" + base64_encode("Écoles") + "?= <a@b.example>");
}

TEST(email_html, escapes_text_and_keeps_paragraphs) {
  rendered_delivery d;
  d.language = "es";
  d.text = "Hola <familia> & amigos\nlínea 2\n\nPárrafo 2";
  const auto html = email_html(d);
  EXPECT_NE(html.find("<html lang=\"es\">"), std::string::npos);
  EXPECT_NE(html.find("<p>Hola &lt;familia&gt; &amp; amigos<br>\nlínea 2</p>"), std::string::npos);
  EXPECT_NE(html.find("<p>Párrafo 2</p>"), std::string::npos);
  EXPECT_EQ(html.find("rtl"), std::string::npos);
}

TEST(email_html, marks_right_to_left_languages) {
  rendered_delivery d;
  d.language = "ar";
  d.text = "مرحبا";
  EXPECT_NE(email_html(d).find("<html lang=\"ar\" dir=\"rtl\">"), std::string::npos);
  d.language = "he";
  EXPECT_NE(email_html(d).find("dir=\"rtl\""), std::string::npos);
}

TEST(smtp_reply, classifies_by_reply_code) {
  EXPECT_EQ(classify_smtp_reply(250, "").kind, outcome_kind::sent);
  EXPECT_EQ(classify_smtp_reply(451, "greylisted").kind, outcome_kind::retry_later);
  const auto unknown_user = classify_smtp_reply(550, "no such user");
  EXPECT_EQ(unknown_user.kind, outcome_kind::permanent_failure);
  EXPECT_TRUE(unknown_user.invalid_address);
  EXPECT_EQ(classify_smtp_reply(535, "auth").kind, outcome_kind::retry_later);
  EXPECT_EQ(classify_smtp_reply(0, "connection refused").kind, outcome_kind::retry_later);
}

TEST(smtp_headers, carry_language_unsubscribe_and_an_encoded_subject) {
  smtp_settings s;
  s.from = {"Escuelas", "avisos@d.example"};
  rendered_delivery d;
  d.address = "f@example.org";
  d.language = "es-MX";
  d.subject = "Día de nieve";
  d.unsubscribe_url = "https://l.example/u/1";
  const auto headers = smtp_headers(s, d, "<id@d.example>",
                                    std::chrono::system_clock::time_point(std::chrono::seconds(0)));
  auto has = [&](const std::string& h) {
    return std::find(headers.begin(), headers.end(), h) != headers.end();
  };
  EXPECT_TRUE(has("Subject: =?UTF-8?B?" + base64_encode("Día de nieve") + "?="));
  EXPECT_TRUE(has("Content-Language: es-MX"));
  EXPECT_TRUE(has("List-Unsubscribe: <https://l.example/u/1>"));
  EXPECT_TRUE(has("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
  EXPECT_TRUE(has("Date: Thu, 01 Jan 1970 00:00:00 +0000"));
  EXPECT_TRUE(has("Message-ID: <id@d.example>"));
}

}  // namespace
}  // namespace liaison::channels
