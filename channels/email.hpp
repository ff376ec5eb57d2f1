// What every email provider needs, as pure functions: RFC 2047 encoded-word headers, the
// sender's mailbox, the HTML rendering of a text (with dir="rtl" for right-to-left languages),
// the RFC 5322 date, and the SMTP answer classification.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "channels/provider.hpp"

namespace liaison::channels {

// A header value as RFC 2047 encoded words when it is not plain printable ASCII:
// "=?UTF-8?B?...?=" words of at most 75 characters, split only between UTF-8 characters
// (never inside one), joined by a space (which decoders drop between encoded words).
std::string encode_header_words(std::string_view utf8);

struct mailbox {
  std::string display_name;  // may be empty
  std::string address;       // local@domain
};

// "Springfield Schools <noreply@springfield.k12.us>" or a bare "noreply@springfield.k12.us".
std::optional<mailbox> parse_mailbox(std::string_view text);
// The mailbox as a header value, the display name encoded when needed.
std::string format_mailbox(const mailbox& m);

// The delivery's HTML part: `delivery.html` when given, else the text escaped with paragraphs
// and line breaks kept. Always a whole document with lang= and, for right-to-left languages
// (Arabic, Hebrew, Persian, Urdu...), dir="rtl".
std::string email_html(const rendered_delivery& delivery);

// "Tue, 05 Nov 2024 14:03:09 +0000"
std::string rfc5322_date(std::chrono::system_clock::time_point t);

// Outcome of an SMTP transaction: `smtp_code` is the server's last reply code (0 when none).
// 2xx → sent; 4xx (greylisting, mailbox busy) → retry later; 5xx on the recipient (550, 551,
// 553) → permanent, invalid address; other 5xx → permanent; 535 (authentication) → retry
// later, like rejected credentials anywhere; no reply at all → retry later.
delivery_outcome classify_smtp_reply(int smtp_code, std::string_view detail);

}  // namespace liaison::channels
