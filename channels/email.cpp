#include "channels/email.hpp"

#include <ctime>

#include "i18n/language.hpp"
#include "support/crypto.hpp"
#include "support/markup.hpp"

namespace liaison::channels {

namespace {

bool plain_ascii(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) {
      return false;
    }
  }
  // "=?" would be read as the start of an encoded word.
  return text.find("=?") == std::string_view::npos;
}

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) {
    return 1;
  }
  if ((lead & 0xE0) == 0xC0) {
    return 2;
  }
  if ((lead & 0xF0) == 0xE0) {
    return 3;
  }
  if ((lead & 0xF8) == 0xF0) {
    return 4;
  }
  return 1;  // a stray byte: passed through alone
}

}  // namespace

std::string encode_header_words(std::string_view utf8) {
  if (plain_ascii(utf8)) {
    return std::string(utf8);
  }
  // 75 characters per word: "=?UTF-8?B?" (10) + base64 + "?=" (2) leaves 63, so at most 45
  // bytes of text (60 base64 characters) per word.
  constexpr std::size_t max_bytes = 45;
  std::string out;
  std::size_t pos = 0;
  while (pos < utf8.size()) {
    std::size_t end = pos;
    while (end < utf8.size()) {
      const std::size_t len = utf8_sequence_length(static_cast<unsigned char>(utf8[end]));
      if (end + len - pos > max_bytes) {
        break;
      }
      end += len;
    }
    if (end == pos) {  // cannot happen with max_bytes >= 4; guards against a loop
      end = std::min(utf8.size(), pos + max_bytes);
    }
    end = std::min(end, utf8.size());
    if (!out.empty()) {
      out.push_back(' ');
    }
    out += "=?UTF-8?B?" + base64_encode(utf8.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::optional<mailbox> parse_mailbox(std::string_view text) {
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
    }
    return s;
  };
  text = trim(text);
  mailbox m;
  const auto open = text.rfind('<');
  if (open != std::string_view::npos) {
    if (text.back() != '>') {
      return std::nullopt;
    }
    m.address = std::string(trim(text.substr(open + 1, text.size() - open - 2)));
    auto name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
    }
    m.display_name = std::string(name);
  } else {
    m.address = std::string(text);
  }
  const auto at = m.address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == m.address.size() ||
      m.address.find_first_of(" <>,;\"\r\n") != std::string::npos) {
    return std::nullopt;
  }
  return m;
}

std::string format_mailbox(const mailbox& m) {
  if (m.display_name.empty()) {
    return "<" + m.address + ">";
  }
  const std::string encoded = encode_header_words(m.display_name);
  if (encoded != m.display_name) {
    return encoded + " <" + m.address + ">";
  }
  std::string quoted = "\"";
  for (const char c : m.display_name) {
    if (c == '"' || c == '\\') {
      quoted.push_back('\\');
    }
    quoted.push_back(c);
  }
  return quoted + "\" <" + m.address + ">";
}

std::string email_html(const rendered_delivery& delivery) {
  const bool rtl = !delivery.language.empty() && i18n::is_right_to_left(delivery.language);
  std::string html = "<!DOCTYPE html>\n<html lang=\"" + xml_escape(delivery.language) + "\"";
  if (rtl) {
    html += " dir=\"rtl\"";
  }
  html += ">\n<head><meta charset=\"utf-8\">";
  if (!delivery.subject.empty()) {
    html += "<title>" + xml_escape(delivery.subject) + "</title>";
  }
  html += "</head>\n<body";
  if (rtl) {
    html += " dir=\"rtl\" style=\"text-align:right\"";
  }
  html += ">\n";
  if (!delivery.html.empty()) {
    html += delivery.html;
  } else {
    // Blank lines separate paragraphs; single line breaks stay line breaks.
    std::string_view text = delivery.text;
    std::size_t start = 0;
    while (start <= text.size()) {
      auto end = text.find("\n\n", start);
      if (end == std::string_view::npos) {
        end = text.size();
      }
      std::string paragraph = xml_escape(text.substr(start, end - start));
      std::string with_breaks;
      for (const char c : paragraph) {
        if (c == '\n') {
          with_breaks += "<br>\n";
        } else if (c != '\r') {
          with_breaks.push_back(c);
        }
      }
      if (!with_breaks.empty()) {
        html += "<p>" + with_breaks + "</p>\n";
      }
      start = end + 2;
    }
  }
  html += "</body>\n</html>\n";
  return html;
}

std::string rfc5322_date(std::chrono::system_clock::time_point t) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
                tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buffer;
}

delivery_outcome classify_smtp_reply(int smtp_code, std::string_view detail) {
  delivery_outcome outcome;
  outcome.provider_code = smtp_code > 0 ? std::to_string(smtp_code) : std::string();
  if (smtp_code >= 200 && smtp_code < 300) {
    outcome.kind = outcome_kind::sent;
    return outcome;
  }
  outcome.reason = smtp_code > 0 ? "SMTP " + std::to_string(smtp_code) : std::string("SMTP");
  if (!detail.empty()) {
    outcome.reason += ": " + std::string(detail);
  }
  if (smtp_code >= 500 && smtp_code != 535) {
    outcome.kind = outcome_kind::permanent_failure;
    outcome.invalid_address = smtp_code == 550 || smtp_code == 551 || smtp_code == 553;
  } else {
    outcome.kind = outcome_kind::retry_later;
  }
  return outcome;
}

}  // namespace liaison::channels
