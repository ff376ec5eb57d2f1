// Reads a TOML document into liaison_config. Each table has a schema (a list of key → reader
// rows), so every rule lives in one row; every problem becomes a config_error with its key path
// and reading carries on, so an operator sees all mistakes in one run of check-config.
#include "config/loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <system_error>
#include <utility>

#include "config/units.hpp"
#include "support/secret_file.hpp"

namespace liaison::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// ---------------------------------------------------------------------------------------------
// Vocabulary: names accepted for each enumeration, and what each provider kind requires.

template <class E>
struct named {
  std::string_view name;
  E value;
};

constexpr std::array<named<channel>, 3> channel_names{{
    {"sms", channel::sms},
    {"email", channel::email},
    {"voice", channel::voice},
}};

constexpr std::array<named<role>, 3> role_names{{
    {"school", role::school},
    {"coordinator", role::coordinator},
    {"admin", role::admin},
}};

constexpr std::array<named<provider_kind>, 6> kind_names{{
    {"outbox", provider_kind::outbox},
    {"twilio", provider_kind::twilio},
    {"kannel", provider_kind::kannel},
    {"smtp", provider_kind::smtp},
    {"sendgrid", provider_kind::sendgrid},
    {"webhook", provider_kind::webhook},
}};

constexpr std::array<named<translation_kind>, 4> translation_names{{
    {"none", translation_kind::none},
    {"apertium", translation_kind::apertium},
    {"libretranslate", translation_kind::libretranslate},
    {"google", translation_kind::google},
}};

constexpr std::array<named<log_sink>, 3> sink_names{{
    {"auto", log_sink::automatic},
    {"stderr", log_sink::stderr_sink},
    {"journald", log_sink::journald},
}};

// spdlog's level names.
constexpr std::array<named<std::string_view>, 7> level_names{{
    {"trace", "trace"},
    {"debug", "debug"},
    {"info", "info"},
    {"warn", "warn"},
    {"error", "error"},
    {"critical", "critical"},
    {"off", "off"},
}};

constexpr unsigned bit(channel c) noexcept {
  return 1U << static_cast<unsigned>(c);
}
constexpr unsigned all_channels = bit(channel::sms) | bit(channel::email) | bit(channel::voice);

// What a provider of each kind must (and may) have. Empty strings are unused slots.
struct kind_rules {
  provider_kind kind;
  unsigned channels;                            // the channels this kind can deliver on
  std::array<std::string_view, 2> url_schemes;  // base_url required with one of these; none:
                                                // base_url optional, any scheme
  std::array<std::string_view, 1> settings;     // required plain settings
  std::array<std::string_view, 2> secrets;      // required `<name>_file` keys, without `_file`
};

constexpr std::array<kind_rules, 6> provider_kinds{{
    {provider_kind::outbox, all_channels, {}, {}, {}},
    {provider_kind::twilio,
     bit(channel::sms) | bit(channel::voice),
     {"https", "http"},
     {"account_sid"},
     {"auth_token"}},
    // dlr_secret signs the dlr-url: Kannel's delivery reports carry no signature of their own.
    {provider_kind::kannel,
     bit(channel::sms),
     {"http", "https"},
     {"username"},
     {"password", "dlr_secret"}},
    {provider_kind::smtp, bit(channel::email), {"smtp", "smtps"}, {"from"}, {}},
    {provider_kind::sendgrid, bit(channel::email), {"https", "http"}, {"from"}, {"api_key"}},
    {provider_kind::webhook, all_channels, {"https", "http"}, {}, {"secret"}},
}};

const kind_rules& rules_for(provider_kind kind) {
  return *std::find_if(provider_kinds.begin(), provider_kinds.end(),
                       [kind](const kind_rules& rules) { return rules.kind == kind; });
}

// ---------------------------------------------------------------------------------------------
// Small text helpers.

std::string quote(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string join(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : std::string(parent) + "." + std::string(key);
}

std::string element(std::string_view parent, std::size_t index) {
  return std::string(parent) + "[" + std::to_string(index) + "]";
}

template <class E, std::size_t N>
std::string list_names(const std::array<named<E>, N>& names) {
  std::string out;
  for (const auto& n : names) {
    out += out.empty() ? "" : ", ";
    out += n.name;
  }
  return out;
}

std::string channel_list(unsigned channels) {
  std::string out;
  for (const auto& n : channel_names) {
    if ((channels & bit(n.value)) != 0) {
      out += out.empty() ? "" : ", ";
      out += n.name;
    }
  }
  return out;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    row[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

// The known key a typo most likely meant, if one is close enough to say so.
std::optional<std::string_view> closest(std::string_view key,
                                        const std::vector<std::string_view>& known) {
  std::optional<std::string_view> best;
  std::size_t best_distance = 3;  // suggest only within two edits
  for (const auto candidate : known) {
    const auto distance = edit_distance(key, candidate);
    if (distance < best_distance && distance < candidate.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

// Keys whose value would be a secret written in clear in the config file.
bool looks_like_secret(std::string_view key) {
  constexpr std::array<std::string_view, 6> words{"password", "passwd",  "secret",
                                                  "token",    "api_key", "private_key"};
  return std::any_of(words.begin(), words.end(), [key](std::string_view word) {
    return key == word || (key.size() > word.size() && key.ends_with(word) &&
                           key[key.size() - word.size() - 1] == '_');
  });
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return out;
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// A loose BCP 47 check (language subtag of letters, then alphanumeric subtags): enough to catch
// "en_US" or "English"; i18n canonicalizes the tag with ICU.
bool looks_like_language_tag(std::string_view tag) {
  std::size_t index = 0;
  std::size_t start = 0;
  while (start <= tag.size()) {
    const auto end = std::min(tag.find('-', start), tag.size());
    const auto subtag = tag.substr(start, end - start);
    if (subtag.empty() || subtag.size() > 8) {
      return false;
    }
    for (const char c : subtag) {
      const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      const bool digit = c >= '0' && c <= '9';
      if (!(letter || (digit && index > 0))) {
        return false;
      }
    }
    if (index == 0 && subtag.size() < 2) {
      return false;
    }
    ++index;
    start = end + 1;
  }
  return true;
}

// Why `text` is not an acceptable URL, or nothing. `schemes` empty: any scheme.
std::optional<std::string> url_problem(std::string_view text,
                                       std::span<const std::string_view> schemes) {
  const auto url = boost::urls::parse_uri(text);
  if (!url) {
    return "not a valid URL: " + quote(text);
  }
  if (url->encoded_host().empty()) {
    return "URL has no host: " + quote(text);
  }
  const auto scheme = lowercase(std::string_view(url->scheme().data(), url->scheme().size()));
  std::string allowed;
  for (const auto s : schemes) {
    if (s.empty()) {
      continue;
    }
    if (scheme == s) {
      return std::nullopt;
    }
    allowed += allowed.empty() ? "" : " or ";
    allowed += s;
  }
  if (allowed.empty()) {
    return std::nullopt;
  }
  return "URL scheme must be " + allowed + ": " + quote(text);
}

// ---------------------------------------------------------------------------------------------
// reader: typed access to TOML values. Each getter returns the value, or reports why not (at
// `path`) and returns nothing.

class reader {
 public:
  explicit reader(fs::path base_dir) : base_dir_(std::move(base_dir)) {}

  void error(std::string key_path, std::string message) {
    errors_.push_back({std::move(key_path), std::move(message)});
  }
  std::vector<config_error> take_errors() { return std::move(errors_); }

  // Relative paths are taken from the config file's folder, not the daemon's working directory.
  fs::path resolve(const fs::path& path) const {
    return (path.is_absolute() ? path : base_dir_ / path).lexically_normal();
  }

  const toml::table* table(const toml::node& node, const std::string& path,
                           std::string_view header) {
    if (const auto* t = node.as_table()) {
      return t;
    }
    error(path,
          "expected a table (" + std::string(header) + "), got " + std::string(type_name(node)));
    return nullptr;
  }

  std::optional<std::string> string(const toml::node& node, const std::string& path) {
    if (const auto* s = node.as_string()) {
      return s->get();
    }
    error(path, "expected a string, got " + std::string(type_name(node)));
    return std::nullopt;
  }

  std::optional<std::string> non_empty_string(const toml::node& node, const std::string& path) {
    auto value = string(node, path);
    if (value && value->empty()) {
      error(path, "must not be empty");
      return std::nullopt;
    }
    return value;
  }

  std::optional<bool> boolean(const toml::node& node, const std::string& path) {
    if (const auto* b = node.as_boolean()) {
      return b->get();
    }
    error(path, "expected true or false, got " + std::string(type_name(node)));
    return std::nullopt;
  }

  std::optional<std::int64_t> integer(const toml::node& node, const std::string& path,
                                      std::int64_t min, std::int64_t max) {
    const auto* i = node.as_integer();
    if (i == nullptr) {
      error(path, "expected an integer, got " + std::string(type_name(node)));
      return std::nullopt;
    }
    if (i->get() < min || i->get() > max) {
      error(path, std::to_string(i->get()) + " is out of range (" + std::to_string(min) + ".." +
                      std::to_string(max) + ")");
      return std::nullopt;
    }
    return i->get();
  }

  std::optional<double> positive_number(const toml::node& node, const std::string& path) {
    std::optional<double> value;
    if (const auto* f = node.as_floating_point()) {
      value = f->get();
    } else if (const auto* i = node.as_integer()) {
      value = static_cast<double>(i->get());
    } else {
      error(path, "expected a number, got " + std::string(type_name(node)));
      return std::nullopt;
    }
    if (!std::isfinite(*value) || *value <= 0) {
      error(path, "must be a number greater than zero");
      return std::nullopt;
    }
    return value;
  }

  std::optional<milliseconds> duration(const toml::node& node, const std::string& path) {
    if (node.is_number()) {
      error(path, "duration needs a unit, e.g. \"30s\"");
      return std::nullopt;
    }
    if (!node.is_string()) {
      error(path, "expected a duration like \"30s\", got " + std::string(type_name(node)));
      return std::nullopt;
    }
    auto parsed = detail::parse_duration(node.as_string()->get());
    if (!parsed.value) {
      error(path, std::move(parsed.error));
      return std::nullopt;
    }
    if (parsed.value->count() == 0) {
      error(path, "must be longer than zero");
      return std::nullopt;
    }
    return parsed.value;
  }

  // An integer number of bytes, or a string with a unit ("1MiB").
  std::optional<std::uint64_t> byte_size(const toml::node& node, const std::string& path,
                                         std::uint64_t min, std::uint64_t max) {
    std::optional<std::uint64_t> value;
    if (const auto* i = node.as_integer()) {
      if (i->get() < 0) {
        error(path, "must not be negative");
        return std::nullopt;
      }
      value = static_cast<std::uint64_t>(i->get());
    } else if (const auto* s = node.as_string()) {
      auto parsed = detail::parse_byte_size(s->get());
      if (!parsed.value) {
        error(path, std::move(parsed.error));
        return std::nullopt;
      }
      value = parsed.value;
    } else {
      error(path, "expected a size (bytes, or a string like \"1MiB\"), got " +
                      std::string(type_name(node)));
      return std::nullopt;
    }
    if (*value < min || *value > max) {
      error(path, std::to_string(*value) + " bytes is out of range (" + std::to_string(min) + ".." +
                      std::to_string(max) + ")");
      return std::nullopt;
    }
    return value;
  }

  template <class E, std::size_t N>
  std::optional<E> choice(const toml::node& node, const std::string& path,
                          const std::array<named<E>, N>& names) {
    const auto text = string(node, path);
    if (!text) {
      return std::nullopt;
    }
    for (const auto& n : names) {
      if (n.name == *text) {
        return n.value;
      }
    }
    error(path, "unknown value " + quote(*text) + " (expected one of: " + list_names(names) + ")");
    return std::nullopt;
  }

  std::optional<std::vector<std::string>> string_array(const toml::node& node,
                                                       const std::string& path) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      error(path, "expected an array of strings, got " + std::string(type_name(node)));
      return std::nullopt;
    }
    std::vector<std::string> values;
    bool ok = true;
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (auto value = non_empty_string(*array->get(i), element(path, i))) {
        values.push_back(std::move(*value));
      } else {
        ok = false;
      }
    }
    return ok ? std::optional(std::move(values)) : std::nullopt;
  }

  std::optional<std::vector<channel>> channels(const toml::node& node, const std::string& path) {
    const auto* array = node.as_array();
    if (array == nullptr) {
      error(path, "expected an array of channels like [\"sms\", \"email\"], got " +
                      std::string(type_name(node)));
      return std::nullopt;
    }
    if (array->empty()) {
      error(path, "must list at least one channel (" + list_names(channel_names) + ")");
      return std::nullopt;
    }
    std::vector<channel> values;
    bool ok = true;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto value = choice(*array->get(i), element(path, i), channel_names);
      if (!value) {
        ok = false;
      } else if (std::find(values.begin(), values.end(), *value) != values.end()) {
        error(element(path, i), "channel " + quote(to_string(*value)) + " is listed twice");
        ok = false;
      } else {
        values.push_back(*value);
      }
    }
    return ok ? std::optional(std::move(values)) : std::nullopt;
  }

  std::optional<fs::path> directory(const toml::node& node, const std::string& path) {
    const auto text = non_empty_string(node, path);
    return text ? std::optional(resolve(*text)) : std::nullopt;
  }

  // A `*_file` key: the secret is the content of the file it names.
  std::optional<std::string> secret(const toml::node& node, const std::string& path) {
    const auto text = non_empty_string(node, path);
    if (!text) {
      return std::nullopt;
    }
    auto expanded = expand_credentials_directory(*text);
    if (!expanded.value) {
      error(path, std::move(expanded.error));
      return std::nullopt;
    }
    auto read = read_secret_file(resolve(*expanded.value));
    if (!read.value) {
      error(path, std::move(read.error));
      return std::nullopt;
    }
    return read.value;
  }

  std::optional<std::string> url(const toml::node& node, const std::string& path,
                                 std::span<const std::string_view> schemes) {
    auto text = string(node, path);
    if (!text) {
      return std::nullopt;
    }
    if (auto problem = url_problem(*text, schemes)) {
      error(path, std::move(*problem));
      return std::nullopt;
    }
    return text;
  }

  // Reports a key no schema row matched, naming the likely intended key.
  void unknown_key(std::string_view key, const toml::node& node, const std::string& path,
                   const std::vector<std::string_view>& known) {
    if (looks_like_secret(key)) {
      error(path, "secrets do not belong in the config file: put the " + std::string(key) +
                      " in a file (or a systemd credential) and set " + std::string(key) +
                      "_file = \"/path/to/file\"");
      return;
    }
    std::string message = node.is_table() ? "unknown table" : "unknown key";
    if (const auto suggestion = closest(key, known)) {
      message += " (did you mean " + quote(*suggestion) + "?)";
    }
    error(path, std::move(message));
  }

 private:
  // `${CREDENTIALS_DIRECTORY}` is where systemd puts LoadCredential= files for the unit.
  static detail::parsed<std::string> expand_credentials_directory(std::string_view text) {
    constexpr std::string_view variable = "CREDENTIALS_DIRECTORY";
    std::string out;
    std::size_t start = 0;
    while (true) {
      const auto open = text.find("${", start);
      if (open == std::string_view::npos) {
        out += text.substr(start);
        return {std::move(out), {}};
      }
      const auto close = text.find('}', open);
      if (close == std::string_view::npos) {
        return {std::nullopt, "unterminated ${ in " + quote(text)};
      }
      const auto name = text.substr(open + 2, close - open - 2);
      if (name != variable) {
        return {std::nullopt, "only ${CREDENTIALS_DIRECTORY} is expanded in paths, not ${" +
                                  std::string(name) + "}"};
      }
      const char* value = std::getenv("CREDENTIALS_DIRECTORY");
      if (value == nullptr || *value == '\0') {
        return {std::nullopt,
                quote(text) +
                    " uses ${CREDENTIALS_DIRECTORY}, which is not set (systemd sets it for "
                    "services with LoadCredential=; export it to check the file by hand)"};
      }
      out += text.substr(start, open - start);
      out += value;
      start = close + 1;
    }
  }

  fs::path base_dir_;
  std::vector<config_error> errors_;
};

// ---------------------------------------------------------------------------------------------
// Schemas: a table is a list of fields; each field reads one key into one struct member.

template <class S>
using read_fn = std::function<void(reader&, const toml::node&, const std::string&, S&)>;

// Called for a key no field matched; returns false to have it reported as unknown.
template <class S>
using extra_key_fn =
    std::function<bool(reader&, std::string_view, const toml::node&, const std::string&, S&)>;

// Called after a table was read, for rules that involve several keys.
template <class S>
using check_fn = std::function<void(reader&, const toml::table&, const std::string&, S&)>;

template <class S>
struct field {
  std::string_view key;
  read_fn<S> read;
  bool required = false;
};

template <class S>
struct schema {
  schema(std::vector<field<S>> table_fields, extra_key_fn<S> on_extra_key = {},
         check_fn<S> on_check = {})
      : fields(std::move(table_fields)),
        extra_key(std::move(on_extra_key)),
        check(std::move(on_check)) {}

  std::vector<field<S>> fields;
  extra_key_fn<S> extra_key;  // may be empty
  check_fn<S> check;          // may be empty
};

enum class presence { optional, required };

// A field whose value comes from `convert` (an optional: empty when it reported an error).
template <class S, class T, class Convert>
field<S> make_field(std::string_view key, T S::*member, Convert convert,
                    presence p = presence::optional) {
  return {key,
          [member, convert](reader& r, const toml::node& node, const std::string& path, S& out) {
            if (auto value = convert(r, node, path)) {
              out.*member = static_cast<T>(std::move(*value));
            }
          },
          p == presence::required};
}

template <class S>
field<S> text_field(std::string_view key, std::string S::*member) {
  return make_field(key, member, [](reader& r, const toml::node& node, const std::string& path) {
    return r.string(node, path);
  });
}

template <class S>
field<S> name_field(std::string_view key, std::string S::*member, presence p = presence::optional) {
  return make_field(
      key, member,
      [](reader& r, const toml::node& node, const std::string& path) {
        return r.non_empty_string(node, path);
      },
      p);
}

template <class S, class Int>
field<S> integer_field(std::string_view key, Int S::*member, std::int64_t min, std::int64_t max) {
  return make_field(key, member,
                    [min, max](reader& r, const toml::node& node, const std::string& path) {
                      return r.integer(node, path, min, max);
                    });
}

template <class S>
field<S> boolean_field(std::string_view key, bool S::*member) {
  return make_field(key, member, [](reader& r, const toml::node& node, const std::string& path) {
    return r.boolean(node, path);
  });
}

template <class S>
field<S> port_field(std::string_view key, std::uint16_t S::*member) {
  return integer_field(key, member, 1, 65535);
}

template <class S>
field<S> duration_field(std::string_view key, milliseconds S::*member) {
  return make_field(key, member, [](reader& r, const toml::node& node, const std::string& path) {
    return r.duration(node, path);
  });
}

template <class S, class T, class E, std::size_t N>
field<S> choice_field(std::string_view key, T S::*member, const std::array<named<E>, N>& names,
                      presence p = presence::optional) {
  return make_field(
      key, member,
      [&names](reader& r, const toml::node& node, const std::string& path) {
        return r.choice(node, path, names);
      },
      p);
}

// "HH:MM" on a 24-hour clock, e.g. quiet hours "21:00".
template <class S>
field<S> time_of_day_field(std::string_view key, std::chrono::minutes S::*member) {
  return make_field(key, member, [](reader& r, const toml::node& node, const std::string& path) {
    auto text = r.string(node, path);
    if (!text) {
      return std::optional<std::chrono::minutes>();
    }
    unsigned hours = 0;
    unsigned minutes = 0;
    char colon = 0;
    std::istringstream in(*text);
    if (text->size() != 5 || !(in >> hours >> colon >> minutes) || colon != ':' || hours > 23 ||
        minutes > 59) {
      r.error(path, "expected a time of day as \"HH:MM\" (24-hour clock), got " + quote(*text));
      return std::optional<std::chrono::minutes>();
    }
    return std::optional<std::chrono::minutes>(std::chrono::hours(hours) +
                                               std::chrono::minutes(minutes));
  });
}

template <class S>
field<S> secret_field(std::string_view key, std::string S::*member) {
  return make_field(key, member, [](reader& r, const toml::node& node, const std::string& path) {
    return r.secret(node, path);
  });
}

template <class S>
void read_table(reader& r, const toml::table& table, const std::string& path,
                const schema<S>& schema, S& out) {
  std::vector<std::string_view> known;
  for (const auto& f : schema.fields) {
    known.push_back(f.key);
  }
  for (auto&& [key, node] : table) {
    const std::string key_path = join(path, key.str());
    const std::string_view name = key.str();
    const auto match = std::find_if(schema.fields.begin(), schema.fields.end(),
                                    [name](const field<S>& f) { return f.key == name; });
    if (match != schema.fields.end()) {
      match->read(r, node, key_path, out);
    } else if (!schema.extra_key || !schema.extra_key(r, name, node, key_path, out)) {
      r.unknown_key(name, node, key_path, known);
    }
  }
  for (const auto& f : schema.fields) {
    if (f.required && !table.contains(f.key)) {
      r.error(join(path, f.key), "missing required key");
    }
  }
  if (schema.check) {
    schema.check(r, table, path, out);
  }
}

// `[[name]]`: every element is a table read with `read_item`.
template <class Item>
void read_array_of_tables(
    reader& r, const toml::node& node, const std::string& path, std::vector<Item>& out,
    const std::function<void(reader&, const toml::table&, const std::string&, Item&)>& read_item) {
  const auto* array = node.as_array();
  if (array == nullptr) {
    r.error(path,
            "expected an array of tables ([[" + path + "]]), got " + std::string(type_name(node)));
    return;
  }
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto item_path = element(path, i);
    if (const auto* t = r.table(*array->get(i), item_path, "[[" + path + "]]")) {
      read_item(r, *t, item_path, out.emplace_back());
    }
  }
}

// The value of a choice key when it is present and valid (errors are reported by its field).
template <class E, std::size_t N>
std::optional<E> peek_choice(const toml::table& table, std::string_view key,
                             const std::array<named<E>, N>& names) {
  const auto* text = table.get_as<std::string>(key);
  if (text == nullptr) {
    return std::nullopt;
  }
  for (const auto& n : names) {
    if (n.name == text->get()) {
      return n.value;
    }
  }
  return std::nullopt;
}

// Reports the second and later uses of the same value of `key_of(item)`.
template <class Item, class KeyOf>
void check_unique(reader& r, const std::vector<Item>& items, const std::string& path,
                  std::string_view key, std::string_view what, KeyOf key_of) {
  std::map<std::string, std::size_t> first_use;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string value = key_of(items[i]);
    if (value.empty()) {
      continue;  // missing; reported where it was read
    }
    const auto [it, inserted] = first_use.emplace(value, i);
    if (!inserted) {
      r.error(join(element(path, i), key),
              "duplicate " + std::string(what) + " (also " + element(path, it->second) + ")");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The tables of liaison.toml.

constexpr std::array<std::string_view, 2> web_schemes{"http", "https"};

// A mailbox as SMTP takes it: "office@lincoln.example.org" (no display name, no spaces).
bool looks_like_email_address(std::string_view address) {
  const auto at = address.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < address.size() &&
         address.find('@', at + 1) == std::string_view::npos &&
         address.find_first_of(" \t<>,;\"") == std::string_view::npos &&
         address.find('.', at + 1) != std::string_view::npos;
}

std::optional<std::string> language_tag(reader& r, const toml::node& node,
                                        const std::string& path) {
  auto tag = r.non_empty_string(node, path);
  if (tag && !looks_like_language_tag(*tag)) {
    r.error(path, "not a BCP 47 language tag like \"en\" or \"es-MX\": " + quote(*tag));
    return std::nullopt;
  }
  return tag;
}

std::optional<std::string> email_address(reader& r, const toml::node& node,
                                         const std::string& path) {
  auto address = r.non_empty_string(node, path);
  if (address && !looks_like_email_address(*address)) {
    r.error(path, "not an email address like \"office@school.example.org\": " + quote(*address));
    return std::nullopt;
  }
  return address;
}

schema<school_config> school_schema() {
  return {{
      name_field("name", &school_config::name),
      make_field("language", &school_config::language, language_tag),
      make_field("reply_email", &school_config::reply_email, email_address),
      make_field("reply_webhook", &school_config::reply_webhook,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   return r.url(node, path, web_schemes);
                 }),
      secret_field("reply_webhook_secret_file", &school_config::reply_webhook_secret),
  }};
}

// `[district.schools]`: `lincoln-es = "Lincoln Elementary"` (a name only), or a table
// `lincoln-es = { name = "…", language = "es", reply_email = "…" }`.
std::optional<std::map<std::string, school_config>> schools(reader& r, const toml::node& node,
                                                            const std::string& path) {
  const auto* t = r.table(node, path, "[" + path + "]");
  if (t == nullptr) {
    return std::nullopt;
  }
  std::map<std::string, school_config> values;
  for (auto&& [key, value] : *t) {
    const auto key_path = join(path, key.str());
    school_config school;
    if (const auto* table = value.as_table()) {
      read_table(r, *table, key_path, school_schema(), school);
    } else if (value.is_string()) {
      if (auto name = r.non_empty_string(value, key_path)) {
        school.name = std::move(*name);
      }
    } else {
      r.error(key_path,
              "expected the school's name or a table {name, language, reply_email}, got " +
                  std::string(type_name(value)));
      continue;
    }
    values.emplace(std::string(key.str()), std::move(school));
  }
  return values;
}

schema<district_config> district_schema() {
  return {{
      name_field("name", &district_config::name),
      make_field("default_language", &district_config::default_language, language_tag),
      name_field("time_zone", &district_config::time_zone),
      name_field("help_phone", &district_config::help_phone),
      make_field("coordinator_email", &district_config::coordinator_email, email_address),
      time_of_day_field("quiet_hours_start", &district_config::quiet_hours_start),
      time_of_day_field("quiet_hours_end", &district_config::quiet_hours_end),
      make_field("schools", &district_config::schools, schools),
      make_field("catalog_directory", &district_config::catalog_directory,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   return r.directory(node, path);
                 }),
  }};
}

schema<http_config> http_schema() {
  return {{
      make_field("listen_address", &http_config::listen_address,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   auto address = r.string(node, path);
                   if (address && !boost::urls::parse_ipv4_address(*address) &&
                       !boost::urls::parse_ipv6_address(*address)) {
                     r.error(path,
                             "expected an IPv4 or IPv6 address like \"127.0.0.1\" or "
                             "\"::\", got " +
                                 quote(*address));
                     return std::optional<std::string>();
                   }
                   return address;
                 }),
      port_field("port", &http_config::port),
      make_field("public_url", &http_config::public_url,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   auto url = r.url(node, path, web_schemes);
                   // Paths are appended to it ("/v1/providers/..."); avoid a double slash.
                   while (url && url->ends_with('/')) {
                     url->pop_back();
                   }
                   return url;
                 }),
      make_field("max_body_bytes", &http_config::max_body_bytes,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   return r.byte_size(node, path, 1, std::uint64_t{1} << 30);
                 }),
      make_field("max_import_bytes", &http_config::max_import_bytes,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   return r.byte_size(node, path, 1, std::uint64_t{1} << 40);
                 }),
      duration_field("read_timeout", &http_config::read_timeout),
      duration_field("idle_timeout", &http_config::idle_timeout),
      integer_field("max_connections", &http_config::max_connections, 1, 1'000'000),
      boolean_field("reuse_port", &http_config::reuse_port),
      make_field("console_dir", &http_config::console_dir,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   // Not required to exist: without it the daemon runs without the console.
                   auto text = r.string(node, path);
                   return text ? std::optional(text->empty() ? fs::path() : r.resolve(*text))
                               : std::nullopt;
                 }),
  }};
}

schema<redis_config> redis_schema() {
  return {
      {
          make_field("unix_socket", &redis_config::unix_socket,
                     [](reader& r, const toml::node& node, const std::string& path) {
                       auto text = r.string(node, path);
                       if (!text || text->empty()) {
                         return text;  // empty: use host and port
                       }
                       auto socket = r.resolve(*text).string();
                       // sockaddr_un::sun_path holds 108 bytes with the terminating NUL.
                       if (socket.size() > 107) {
                         r.error(path, "socket path is longer than 107 bytes: " + socket);
                         return std::optional<std::string>();
                       }
                       return std::optional(std::move(socket));
                     }),
          name_field("host", &redis_config::host),
          port_field("port", &redis_config::port),
          text_field("username", &redis_config::username),
          secret_field("password_file", &redis_config::password),
          integer_field("database", &redis_config::database, 0, std::numeric_limits<int>::max()),
          text_field("key_prefix", &redis_config::key_prefix),
          duration_field("connect_timeout", &redis_config::connect_timeout),
          duration_field("command_timeout", &redis_config::command_timeout),
          duration_field("reconnect_min_delay", &redis_config::reconnect_min_delay),
          duration_field("reconnect_max_delay", &redis_config::reconnect_max_delay),
          duration_field("health_check_interval", &redis_config::health_check_interval),
      },
      {},
      [](reader& r, const toml::table&, const std::string& path, redis_config& redis) {
        if (redis.reconnect_min_delay > redis.reconnect_max_delay) {
          r.error(join(path, "reconnect_min_delay"), "must not be longer than reconnect_max_delay");
        }
      },
  };
}

schema<api_key_config> api_key_schema() {
  return {
      {
          name_field("name", &api_key_config::name, presence::required),
          make_field(
              "sha256", &api_key_config::sha256_hex,
              [](reader& r, const toml::node& node, const std::string& path) {
                auto hex = r.string(node, path);
                if (hex && (hex->size() != 64 || !is_hex(*hex))) {
                  r.error(path,
                          "expected 64 hex digits (the SHA-256 of the token, as printed by "
                          "`liaisonctl hash-key`), got " +
                              quote(*hex));
                  return std::optional<std::string>();
                }
                return hex ? std::optional(lowercase(*hex)) : std::nullopt;
              },
              presence::required),
          choice_field("role", &api_key_config::key_role, role_names, presence::required),
          make_field("schools", &api_key_config::schools,
                     [](reader& r, const toml::node& node, const std::string& path) {
                       return r.string_array(node, path);
                     }),
      },
      // The token itself must never be in the file, only its hash.
      [](reader& r, std::string_view key, const toml::node&, const std::string& path,
         api_key_config&) {
        if (!looks_like_secret(key) && key != "key") {
          return false;
        }
        r.error(path,
                "API tokens are not written in the config file, only their hash: run "
                "`liaisonctl hash-key` and set sha256");
        return true;
      },
      [](reader& r, const toml::table& table, const std::string& path, api_key_config&) {
        const auto key_role = peek_choice(table, "role", role_names);
        if (!key_role) {
          return;
        }
        const auto schools = join(path, "schools");
        const auto* listed = table.get_as<toml::array>("schools");
        if (*key_role == role::school && !table.contains("schools")) {
          r.error(schools,
                  "missing required key (a \"school\" key lists the schools it may address)");
        } else if (*key_role == role::school && listed != nullptr && listed->empty()) {
          r.error(schools, "must list at least one school");
        } else if (*key_role != role::school && table.contains("schools")) {
          r.error(schools,
                  "only keys with role \"school\" are limited to schools; a key with role " +
                      quote(to_string(*key_role)) + " reaches every school");
        }
      },
  };
}

schema<auth_config> auth_schema() {
  return {{
      {"api_keys",
       [](reader& r, const toml::node& node, const std::string& path, auth_config& auth) {
         read_array_of_tables<api_key_config>(
             r, node, path, auth.api_keys,
             [](reader& item_reader, const toml::table& t, const std::string& item_path,
                api_key_config& key) {
               read_table(item_reader, t, item_path, api_key_schema(), key);
             });
         check_unique(r, auth.api_keys, path, "name", "API key name",
                      [](const api_key_config& k) { return k.name; });
         check_unique(r, auth.api_keys, path, "sha256", "API key hash",
                      [](const api_key_config& k) { return k.sha256_hex; });
       }},
  }};
}

// Keys of a provider table other than the fields: `*_file` secrets and plain string settings.
bool provider_extra_key(reader& r, std::string_view key, const toml::node& node,
                        const std::string& path, provider_config& provider,
                        const std::vector<std::string_view>& field_keys) {
  constexpr std::string_view file_suffix = "_file";
  if (key.size() > file_suffix.size() && key.ends_with(file_suffix)) {
    if (auto secret = r.secret(node, path)) {
      provider.secrets[std::string(key.substr(0, key.size() - file_suffix.size()))] =
          std::move(*secret);
    }
    return true;
  }
  if (looks_like_secret(key) || !node.is_string()) {
    return false;  // a plain secret, or not a setting: reported by unknown_key
  }
  // A string key that is a near-miss of a field ("bse_url") is a typo, not a setting.
  if (const auto near = closest(key, field_keys); near && near->size() >= 6) {
    return false;
  }
  provider.settings[std::string(key)] = node.as_string()->get();
  return true;
}

// The rules that depend on the provider's kind (see provider_kinds).
void check_provider_kind(reader& r, const toml::table& table, const std::string& path,
                         provider_config& provider) {
  const auto kind = peek_choice(table, "kind", kind_names);
  if (!kind) {
    return;  // missing or invalid, reported already
  }
  const kind_rules& rules = rules_for(*kind);
  const std::string kind_name = "kind " + quote(to_string(*kind));

  for (std::size_t i = 0; i < provider.channels.size(); ++i) {
    if ((rules.channels & bit(provider.channels[i])) == 0) {
      r.error(element(join(path, "channels"), i),
              kind_name + " cannot send " + std::string(to_string(provider.channels[i])) +
                  " (it sends " + channel_list(rules.channels) + ")");
    }
  }

  const bool base_url_required = !rules.url_schemes[0].empty();
  if (const auto* base_url = table.get("base_url")) {
    if (auto url = r.url(*base_url, join(path, "base_url"), rules.url_schemes)) {
      provider.base_url = std::move(*url);
    }
  } else if (base_url_required) {
    r.error(join(path, "base_url"),
            "missing required key (" + kind_name + " needs the URL of its API)");
  }

  for (const auto setting : rules.settings) {
    if (!setting.empty() && !table.contains(setting)) {
      r.error(join(path, setting),
              "missing required key (" + kind_name + " needs " + std::string(setting) + ")");
    }
  }
  for (const auto secret : rules.secrets) {
    const std::string file_key = std::string(secret) + "_file";
    // A plain `auth_token = ...` was reported already, with the advice to use auth_token_file.
    if (!secret.empty() && !table.contains(file_key) && !table.contains(secret)) {
      r.error(join(path, file_key), "missing required key (" + kind_name +
                                        " needs the path of a file holding its " +
                                        std::string(secret) + ")");
    }
  }

  // The Kannel MO token is the only thing that authenticates a text from a phone (Kannel signs
  // nothing): too short a token could be guessed.
  constexpr std::size_t min_mo_token_chars = 32;
  if (const auto token = provider.secrets.find("mo_token");
      *kind == provider_kind::kannel && token != provider.secrets.end() &&
      token->second.size() < min_mo_token_chars) {
    r.error(join(path, "mo_token_file"), "the token must have at least " +
                                             std::to_string(min_mo_token_chars) +
                                             " characters (e.g. `openssl rand -hex 32`)");
  }

  const bool has_directory = table.contains("directory");
  if (*kind == provider_kind::outbox && !has_directory) {
    r.error(join(path, "directory"),
            "missing required key (the folder an outbox provider writes deliveries to)");
  } else if (*kind != provider_kind::outbox && has_directory) {
    r.error(join(path, "directory"), "only outbox providers have a directory");
  }
}

schema<provider_config> provider_schema() {
  schema<provider_config> s{{
      name_field("name", &provider_config::name, presence::required),
      choice_field("kind", &provider_config::kind, kind_names, presence::required),
      make_field(
          "channels", &provider_config::channels,
          [](reader& r, const toml::node& node, const std::string& path) {
            return r.channels(node, path);
          },
          presence::required),
      // Validated with the kind's URL schemes in check_provider_kind.
      {"base_url", [](reader&, const toml::node&, const std::string&, provider_config&) {}},
      make_field("rate_per_second", &provider_config::rate_per_second,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   return r.positive_number(node, path);
                 }),
      duration_field("request_timeout", &provider_config::request_timeout),
      integer_field("max_concurrent_requests", &provider_config::max_concurrent_requests, 1,
                    10'000),
      integer_field("breaker_failures", &provider_config::breaker_failures, 1, 1'000),
      duration_field("breaker_open_for", &provider_config::breaker_open_for),
      make_field("directory", &provider_config::outbox_directory,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   return r.directory(node, path);
                 }),
  }};
  std::vector<std::string_view> field_keys;
  for (const auto& f : s.fields) {
    field_keys.push_back(f.key);
  }
  s.extra_key = [field_keys](reader& r, std::string_view key, const toml::node& node,
                             const std::string& path, provider_config& provider) {
    return provider_extra_key(r, key, node, path, provider, field_keys);
  };
  s.check = check_provider_kind;
  return s;
}

schema<workers_config> workers_schema() {
  return {{
      boolean_field("enabled", &workers_config::enabled),
      text_field("consumer_name", &workers_config::consumer_name),
      integer_field("batch_size", &workers_config::batch_size, 1, 10'000),
      integer_field("max_in_flight", &workers_config::max_in_flight, 1, 100'000),
      duration_field("block_timeout", &workers_config::block_timeout),
      duration_field("visibility_timeout", &workers_config::visibility_timeout),
      integer_field("max_deliveries", &workers_config::max_deliveries, 1, 1'000),
      duration_field("scheduler_interval", &workers_config::scheduler_interval),
      duration_field("fanout_lease", &workers_config::fanout_lease),
      integer_field("fanout_page_families", &workers_config::fanout_page_families, 1, 10'000),
  }};
}

schema<queue_config> queue_schema() {
  return {{
      duration_field("idempotency_key_ttl", &queue_config::idempotency_key_ttl),
  }};
}

// [retry.<channel>.<priority>]
schema<retry_rule> retry_rule_schema() {
  return {
      {
          integer_field("max_attempts", &retry_rule::max_attempts, 1, 100),
          duration_field("base_delay", &retry_rule::base_delay),
          duration_field("max_delay", &retry_rule::max_delay),
          duration_field("max_age", &retry_rule::max_age),
      },
      {},
      [](reader& r, const toml::table&, const std::string& path, retry_rule& rule) {
        if (rule.base_delay > rule.max_delay) {
          r.error(join(path, "base_delay"), "must not be longer than max_delay");
        }
      },
  };
}

template <class S>
field<S> retry_rule_field(std::string_view key, retry_rule S::*member) {
  return {key, [member](reader& r, const toml::node& node, const std::string& path, S& out) {
            if (const auto* t = r.table(node, path, "[" + path + "]")) {
              read_table(r, *t, path, retry_rule_schema(), out.*member);
            }
          }};
}

schema<retry_channel_config> retry_channel_schema() {
  return {{
      retry_rule_field("normal", &retry_channel_config::normal),
      retry_rule_field("urgent", &retry_channel_config::urgent),
  }};
}

template <class S>
field<S> retry_channel_field(std::string_view key, retry_channel_config S::*member) {
  return {key, [member](reader& r, const toml::node& node, const std::string& path, S& out) {
            if (const auto* t = r.table(node, path, "[" + path + "]")) {
              read_table(r, *t, path, retry_channel_schema(), out.*member);
            }
          }};
}

schema<retry_config> retry_schema() {
  return {{
      retry_channel_field("sms", &retry_config::sms),
      retry_channel_field("email", &retry_config::email),
      retry_channel_field("voice", &retry_config::voice),
      retry_channel_field("notice", &retry_config::notice),
  }};
}

// Google's API address, the default of [translation] url for provider = "google".
constexpr std::string_view google_translation_url = "https://translation.googleapis.com";

schema<translation_config> translation_schema() {
  return {
      {
          choice_field("provider", &translation_config::provider, translation_names),
          // Validated with the provider in the check below.
          {"url", [](reader&, const toml::node&, const std::string&, translation_config&) {}},
          secret_field("api_key_file", &translation_config::api_key),
          duration_field("timeout", &translation_config::timeout),
          duration_field("cache_ttl", &translation_config::cache_ttl),
          make_field("max_response_bytes", &translation_config::max_response_bytes,
                     [](reader& r, const toml::node& node, const std::string& path) {
                       return r.byte_size(node, path, 1024, std::uint64_t{64} * 1024 * 1024);
                     }),
          integer_field("max_concurrent_requests", &translation_config::max_concurrent_requests, 1,
                        1'000),
      },
      {},
      [](reader& r, const toml::table& table, const std::string& path, translation_config& t) {
        const auto kind = peek_choice(table, "provider", translation_names);
        const auto url_path = join(path, "url");
        if (const auto* url = table.get("url")) {
          if (auto text = r.url(*url, url_path, web_schemes)) {
            t.url = std::move(*text);
          }
        } else if (kind == translation_kind::apertium || kind == translation_kind::libretranslate) {
          r.error(url_path, "missing required key (provider " + quote(to_string(*kind)) +
                                " needs the address of its server)");
        } else if (kind == translation_kind::google) {
          t.url = google_translation_url;
        }
        if (kind == translation_kind::google && !table.contains("api_key_file") &&
            !table.contains("api_key")) {
          r.error(join(path, "api_key_file"),
                  "missing required key (provider \"google\" needs the path of a file holding "
                  "its API key)");
        }
      },
  };
}

schema<notices_config> notices_schema() {
  return {{
      make_field("url", &notices_config::url,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   return r.url(node, path, web_schemes);
                 }),
      secret_field("secret_file", &notices_config::secret),
      duration_field("timeout", &notices_config::timeout),
  }};
}

schema<interpretation_config> interpretation_schema() {
  return {{
      make_field("reminders", &interpretation_config::reminders,
                 [](reader& r, const toml::node& node, const std::string& path) {
                   std::optional<std::vector<milliseconds>> out;
                   const auto* array = node.as_array();
                   if (array == nullptr) {
                     r.error(path, "expected an array of durations like [\"24h\", \"2h\"], got " +
                                       std::string(type_name(node)));
                     return out;
                   }
                   std::vector<milliseconds> values;
                   for (std::size_t i = 0; i < array->size(); ++i) {
                     if (auto d = r.duration(*array->get(i), element(path, i))) {
                       values.push_back(*d);
                     } else {
                       return out;
                     }
                   }
                   out = std::move(values);
                   return out;
                 }),
      duration_field("late_cancellation_window", &interpretation_config::late_cancellation_window),
  }};
}

schema<logging_config> logging_schema() {
  return {{
      choice_field("level", &logging_config::level, level_names),
      choice_field("sink", &logging_config::sink, sink_names),
  }};
}

schema<shutdown_config> shutdown_schema() {
  return {{
      duration_field("drain_timeout", &shutdown_config::drain_timeout),
  }};
}

// A top-level `[name]` table read into one member of liaison_config.
template <class S>
field<liaison_config> table_field(std::string_view name, S liaison_config::*member,
                                  schema<S> (*make_schema)()) {
  return {name, [name, member, make_schema](reader& r, const toml::node& node,
                                            const std::string& path, liaison_config& config) {
            if (const auto* t = r.table(node, path, "[" + std::string(name) + "]")) {
              read_table(r, *t, path, make_schema(), config.*member);
            }
          }};
}

schema<liaison_config> document_schema() {
  return {
      {
          table_field("district", &liaison_config::district, district_schema),
          table_field("http", &liaison_config::http, http_schema),
          table_field("redis", &liaison_config::redis, redis_schema),
          table_field("auth", &liaison_config::auth, auth_schema),
          {"providers",
           [](reader& r, const toml::node& node, const std::string& path, liaison_config& config) {
             read_array_of_tables<provider_config>(
                 r, node, path, config.providers,
                 [](reader& item_reader, const toml::table& t, const std::string& item_path,
                    provider_config& provider) {
                   read_table(item_reader, t, item_path, provider_schema(), provider);
                 });
             check_unique(r, config.providers, path, "name", "provider name",
                          [](const provider_config& p) { return p.name; });
           }},
          table_field("workers", &liaison_config::workers, workers_schema),
          table_field("queue", &liaison_config::queue, queue_schema),
          table_field("retry", &liaison_config::retry, retry_schema),
          table_field("translation", &liaison_config::translation, translation_schema),
          table_field("notices", &liaison_config::notices, notices_schema),
          table_field("interpretation", &liaison_config::interpretation, interpretation_schema),
          table_field("logging", &liaison_config::logging, logging_schema),
          table_field("shutdown", &liaison_config::shutdown, shutdown_schema),
      },
      {},
      [](reader& r, const toml::table& document, const std::string&, liaison_config& config) {
        // A school's reply_webhook is signed with its own secret, else the district's.
        bool school_needs_district_secret = false;
        for (const auto& [id, school] : config.district.schools) {
          if (school.reply_webhook.empty()) {
            continue;
          }
          if (school.reply_webhook_secret.empty()) {
            school_needs_district_secret = true;
            continue;
          }
          const auto [known, added] = config.notices.secret_by_url.emplace(
              school.reply_webhook, school.reply_webhook_secret);
          if (!added && known->second != school.reply_webhook_secret) {
            r.error(join(join("district.schools", id), "reply_webhook_secret_file"),
                    "another school posts to the same reply_webhook with another secret");
          }
        }
        if ((!config.notices.url.empty() || school_needs_district_secret) &&
            config.notices.secret.empty()) {
          r.error("notices.secret_file",
                  "missing required key (notices are signed: [notices] url, and schools' "
                  "reply_webhook without their own reply_webhook_secret_file, need the path of a "
                  "file holding the signing secret)");
        }
        const auto* listed = document.get_as<toml::array>("providers");
        if (!document.contains("providers") || (listed != nullptr && listed->empty())) {
          r.error("providers", "at least one [[providers]] table is required");
        }
      },
  };
}

load_result load(std::string_view text, const fs::path& base_dir, std::string_view source) {
  toml::table document;
  try {
    document = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return {std::nullopt,
            {{"", "TOML syntax error at " + std::to_string(where.line) + ":" +
                      std::to_string(where.column) + ": " + std::string(e.description())}}};
  }
  reader r(base_dir);
  liaison_config config;
  read_table(r, document, "", document_schema(), config);
  auto errors = r.take_errors();
  if (!errors.empty()) {
    return {std::nullopt, std::move(errors)};
  }
  return {std::move(config), {}};
}

load_result internal_error(const std::exception& e) {
  return {std::nullopt, {{"", std::string("internal error while loading: ") + e.what()}}};
}

}  // namespace

load_result load_config_string(std::string_view toml_text, const std::filesystem::path& base_dir) {
  try {
    return load(toml_text, base_dir, {});
  } catch (const std::exception& e) {
    return internal_error(e);
  }
}

load_result load_config_file(const std::filesystem::path& path) {
  try {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) {
      const std::string why = ec                     ? ec.message()
                              : fs::exists(path, ec) ? "not a regular file"
                                                     : "no such file";
      return {std::nullopt, {{"", "cannot read config file " + path.string() + ": " + why}}};
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      return {std::nullopt, {{"", "cannot open config file " + path.string()}}};
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto base_dir = fs::absolute(path, ec).parent_path();
    return load(text, base_dir, path.string());
  } catch (const std::exception& e) {
    return internal_error(e);
  }
}

}  // namespace liaison::config
