// MessageFormat templates (i18n/message_format.hpp): staff write announcement bodies, so any text
// reaches analyze_pattern at intake. A pattern it accepts must then render, in every locale and
// zone, with values of the kinds it reported: intake's "ok" is a promise that sending will not
// fail on the pattern.
//
// Input: byte 0 picks the locale and time zone, byte 1 the values given, the rest is the pattern.
#include "i18n/message_format.hpp"

#include <array>
#include <chrono>
#include <string>

#include "fuzz/fuzz_target.hpp"

namespace {

using namespace liaison;

struct place {
  const char* locale;
  const char* zone;
};
constexpr std::array<place, 8> places{{{"en", "UTC"},
                                       {"es-MX", "America/Chicago"},
                                       {"ar", "Asia/Riyadh"},
                                       {"ru", "Europe/Moscow"},
                                       {"zh-Hans", "Asia/Shanghai"},
                                       {"fa-AF", "Asia/Kabul"},
                                       {"pl", "Pacific/Chatham"},
                                       {"so", "Africa/Mogadishu"}}};

i18n::argument_value value_for(i18n::argument_kind kind, unsigned choice) {
  using std::chrono::system_clock;
  const auto instant = system_clock::time_point(std::chrono::seconds(1'700'000'000)) +
                       std::chrono::hours(choice * 1000);
  switch (kind) {
    case i18n::argument_kind::number:
      if (choice % 3 == 0) {
        return std::int64_t{-1} * choice;
      }
      return choice % 3 == 1 ? i18n::argument_value(std::int64_t{choice})
                             : i18n::argument_value(choice + 0.5);
    case i18n::argument_kind::date:
      return instant;
    case i18n::argument_kind::text:
      return std::string(choice % 2 == 0 ? "other" : "one");
    case i18n::argument_kind::any:
      break;
  }
  switch (choice % 4) {
    case 0:
      return std::string("Ana María");
    case 1:
      return std::int64_t{choice};
    case 2:
      return 1.5;
    default:
      return instant;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using liaison::fuzz::check;
  if (size < 2) {
    return 0;
  }
  const auto& where = places[data[0] % places.size()];
  const unsigned choices = data[1];
  const auto pattern = liaison::fuzz::as_text(data + 2, size - 2);

  const auto analysis = i18n::analyze_pattern(pattern);
  check(analysis.ok == analysis.error.empty(), "an analysis has an error exactly when not ok");
  if (!analysis.ok) {
    return 0;
  }
  i18n::message_arguments arguments;
  unsigned index = 0;
  for (const auto& argument : analysis.arguments) {
    check(!argument.name.empty(), "argument names are not empty");
    arguments.push_back(
        {argument.name, value_for(argument.kind, (choices >> (index % 8)) + index)});
    ++index;
  }
  i18n::message_renderer renderer(liaison::fuzz::catalog());
  const i18n::render_target target{"en", where.locale, where.zone};
  const auto first = renderer.render_pattern(pattern, target, arguments);
  if (!first) {
    std::fprintf(stderr, "render failed: %s\n", first.error.c_str());
  }
  check(static_cast<bool>(first), "a pattern analyze_pattern accepts renders with its arguments");
  // The second time the cached formatter renders: the same text.
  const auto again = renderer.render_pattern(pattern, target, arguments);
  check(again.value == first.value, "a cached pattern renders the same text");
  return 0;
}
