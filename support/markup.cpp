#include "support/markup.hpp"

namespace liaison {

std::string xml_escape(std::string_view text, markup_place place) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += place == markup_place::anywhere ? "&quot;" : "\"";
        break;
      case '\'':
        out += place == markup_place::anywhere ? "&apos;" : "'";
        break;
      default:
        // Control characters other than tab and line breaks are not allowed in XML 1.0.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out.push_back(' ');
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

}  // namespace liaison
