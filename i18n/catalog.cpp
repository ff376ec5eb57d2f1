#include "i18n/catalog.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <utility>

#include "i18n/language.hpp"
#include "i18n/message_format.hpp"

namespace liaison::i18n {
namespace {

constexpr std::array<std::string_view, message_key_count> key_names{
    "opt_out_confirmation",
    "opt_in_confirmation",
    "help_reply",
    "stop_footer",
    "machine_translated_notice",
    "fallback_language_notice",
    "message_from_school",
    "voice_intro",
    "voice_keypad_prompt",
    "interpreter_offer",
    "interpreter_offer_filled",
    "interpreter_confirmation",
    "meeting_confirmation_family",
    "meeting_reminder_family",
    "language_changed",
    "voice_keypad_thanks",
    "meeting_reply_prompt_family",
    "meeting_reminder_interpreter",
    "meeting_confirmed_family",
    "meeting_reschedule_family",
    "meeting_cancelled",
    "translation_offer",
    "translation_confirmation",
    "interpreter_offer_email_subject",
    "interpreter_offer_email",
    "offer_page_accept",
    "offer_page_decline",
    "interpreter_offer_declined",
};
static_assert(key_names.size() ==
              static_cast<std::size_t>(message_key::interpreter_offer_declined) + 1);

// A catalog file is small (a few KiB); the cap refuses a wrong file (a log, a dump) early.
constexpr std::uintmax_t max_catalog_file_bytes = 1024 * 1024;

using outcome = result<message_catalog>;

result<std::vector<std::string>> string_list(const boost::json::object& parent,
                                             std::string_view field, std::string_view where) {
  using list_outcome = result<std::vector<std::string>>;
  std::vector<std::string> out;
  const auto* value = parent.if_contains(field);
  if (value == nullptr) {
    return list_outcome::success(std::move(out));
  }
  const auto* array = value->if_array();
  if (array == nullptr) {
    return list_outcome::failure(std::string(where) + "." + std::string(field) +
                                 " must be an array of strings");
  }
  for (const auto& item : *array) {
    const auto* text = item.if_string();
    if (text == nullptr || text->empty()) {
      return list_outcome::failure(std::string(where) + "." + std::string(field) +
                                   " must hold non-empty strings");
    }
    out.emplace_back(*text);
  }
  return list_outcome::success(std::move(out));
}

result<catalog_language> parse_language_file(const boost::json::value& document,
                                             std::string_view expected_tag) {
  using language_outcome = result<catalog_language>;
  const auto* root = document.if_object();
  if (root == nullptr) {
    return language_outcome::failure("the file must hold a JSON object");
  }
  static constexpr std::array<std::string_view, 7> known_fields{
      "language", "direction", "reviewed", "names", "keywords", "messages", "descriptions"};
  for (const auto& field : *root) {
    if (std::ranges::find(known_fields, std::string_view(field.key())) == known_fields.end()) {
      return language_outcome::failure("unknown field '" + std::string(field.key()) + "'");
    }
  }

  catalog_language language;
  const auto* tag = root->if_contains("language");
  if (tag == nullptr || !tag->is_string()) {
    return language_outcome::failure("\"language\" must be a string");
  }
  language.tag = std::string(tag->as_string());
  if (!expected_tag.empty() && language.tag != expected_tag) {
    return language_outcome::failure("\"language\" is '" + language.tag +
                                     "' but the file name says '" + std::string(expected_tag) +
                                     "'");
  }

  const auto* direction = root->if_contains("direction");
  if (direction == nullptr || !direction->is_string() ||
      (direction->as_string() != "ltr" && direction->as_string() != "rtl")) {
    return language_outcome::failure("\"direction\" must be \"ltr\" or \"rtl\"");
  }
  language.right_to_left = direction->as_string() == "rtl";

  const auto* reviewed = root->if_contains("reviewed");
  if (reviewed == nullptr || !reviewed->is_bool()) {
    return language_outcome::failure("\"reviewed\" must be true or false");
  }
  language.reviewed = reviewed->as_bool();

  auto names = string_list(*root, "names", "");
  if (!names) {
    return language_outcome::failure(std::move(names.error));
  }
  language.names = std::move(*names.value);

  if (const auto* keywords = root->if_contains("keywords")) {
    const auto* object = keywords->if_object();
    if (object == nullptr) {
      return language_outcome::failure("\"keywords\" must be an object");
    }
    const std::array<std::pair<std::string_view, std::vector<std::string>*>, 5> lists{{
        {"stop", &language.keywords.stop},
        {"stop_all", &language.keywords.stop_all},
        {"start", &language.keywords.start},
        {"help", &language.keywords.help},
        {"language", &language.keywords.language},
    }};
    for (const auto& field : *object) {
      const auto known =
          std::ranges::find(lists, std::string_view(field.key()),
                            &std::pair<std::string_view, std::vector<std::string>*>::first);
      if (known == lists.end()) {
        return language_outcome::failure("unknown keyword list 'keywords." +
                                         std::string(field.key()) + "'");
      }
      auto list = string_list(*object, known->first, "keywords");
      if (!list) {
        return language_outcome::failure(std::move(list.error));
      }
      *known->second = std::move(*list.value);
    }
  }

  const auto* messages_value = root->if_contains("messages");
  const auto* messages = messages_value ? messages_value->if_object() : nullptr;
  if (messages == nullptr) {
    return language_outcome::failure("\"messages\" must be an object");
  }
  std::array<bool, message_key_count> seen{};
  for (const auto& entry : *messages) {
    const auto key = message_key_from_string(entry.key());
    if (!key) {
      return language_outcome::failure("unknown message key '" + std::string(entry.key()) + "'");
    }
    if (!entry.value().is_string()) {
      return language_outcome::failure("message '" + std::string(entry.key()) +
                                       "' must be a string");
    }
    const auto index = static_cast<std::size_t>(*key);
    language.patterns[index] = std::string(entry.value().as_string());
    seen[index] = true;
  }
  for (std::size_t i = 0; i < message_key_count; ++i) {
    if (!seen[i]) {
      return language_outcome::failure("message '" + std::string(key_names[i]) + "' is missing");
    }
  }
  return language_outcome::success(std::move(language));
}

std::string describe(const std::vector<pattern_argument>& arguments) {
  std::string out = "{";
  for (const auto& argument : arguments) {
    if (out.size() > 1) {
      out += ", ";
    }
    out += argument.name + ":" + std::string(to_string(argument.kind));
  }
  return out + "}";
}

std::vector<pattern_argument> sorted_by_name(std::vector<pattern_argument> arguments) {
  std::ranges::sort(arguments, {}, &pattern_argument::name);
  return arguments;
}

// Everything about one language that does not need the others, plus the argument check
// against the reference (null for the reference itself).
std::string validate_language(const catalog_language& language, const catalog_language* reference) {
  const auto canonical = canonicalize_language_tag(language.tag);
  if (!canonical) {
    return canonical.error;
  }
  if (*canonical.value != language.tag) {
    return "language '" + language.tag + "' is not canonical: use '" + *canonical.value + "'";
  }
  if (language.right_to_left != is_right_to_left(language.tag)) {
    return std::string("\"direction\" is \"") + (language.right_to_left ? "rtl" : "ltr") +
           "\" but ICU says the language is written " +
           (language.right_to_left ? "left to right" : "right to left");
  }
  for (std::size_t i = 0; i < message_key_count; ++i) {
    const auto analysis = analyze_pattern(language.patterns[i]);
    if (!analysis.ok) {
      return "message '" + std::string(key_names[i]) + "': " + analysis.error;
    }
    if (reference != nullptr) {
      const auto expected = sorted_by_name(analyze_pattern(reference->patterns[i]).arguments);
      const auto actual = sorted_by_name(analysis.arguments);
      const bool same = std::ranges::equal(expected, actual, [](const auto& a, const auto& b) {
        return a.name == b.name && a.kind == b.kind;
      });
      if (!same) {
        return "message '" + std::string(key_names[i]) + "' has arguments " + describe(actual) +
               " but " + std::string(catalog_reference_language) + " has " + describe(expected);
      }
    }
  }
  return {};
}

}  // namespace

std::string_view to_string(message_key key) noexcept {
  const auto index = static_cast<std::size_t>(key);
  return index < key_names.size() ? key_names[index] : std::string_view("unknown");
}

std::optional<message_key> message_key_from_string(std::string_view name) noexcept {
  const auto found = std::ranges::find(key_names, name);
  if (found == key_names.end()) {
    return std::nullopt;
  }
  return static_cast<message_key>(found - key_names.begin());
}

result<message_catalog> message_catalog::from_languages(std::vector<catalog_language> languages) {
  const auto reference =
      std::ranges::find(languages, catalog_reference_language, &catalog_language::tag);
  if (reference == languages.end()) {
    return outcome::failure("the catalog has no '" + std::string(catalog_reference_language) +
                            "' language, which every other language is checked against");
  }
  std::iter_swap(languages.begin(), reference);
  std::sort(languages.begin() + 1, languages.end(),
            [](const auto& a, const auto& b) { return a.tag < b.tag; });

  std::set<std::string> seen;
  for (const auto& language : languages) {
    if (!seen.insert(language.tag).second) {
      return outcome::failure("language '" + language.tag + "' appears twice");
    }
    const bool is_reference = &language == &languages.front();
    if (auto why = validate_language(language, is_reference ? nullptr : &languages.front());
        !why.empty()) {
      return outcome::failure("catalog language '" + language.tag + "': " + why);
    }
  }

  message_catalog catalog;
  for (const auto& language : languages) {
    catalog.tags_.push_back(language.tag);
  }
  catalog.languages_ = std::move(languages);
  return outcome::success(std::move(catalog));
}

result<message_catalog> message_catalog::load(const std::filesystem::path& directory) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) {
      files.push_back(it->path());
    }
  }
  if (ec) {
    return outcome::failure("cannot read catalog directory '" + directory.string() +
                            "': " + ec.message());
  }
  std::ranges::sort(files);

  std::vector<catalog_language> languages;
  for (const auto& file : files) {
    const auto fail = [&file](const std::string& why) {
      return outcome::failure("catalog file '" + file.string() + "': " + why);
    };
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) {
      return fail(ec.message());
    }
    if (size > max_catalog_file_bytes) {
      return fail("larger than " + std::to_string(max_catalog_file_bytes) + " bytes");
    }
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) {
      return fail("cannot be read");
    }
    boost::system::error_code json_error;
    const auto document = boost::json::parse(text.str(), json_error);
    if (json_error) {
      return fail("not valid JSON: " + json_error.message());
    }
    auto language = parse_language_file(document, file.stem().string());
    if (!language) {
      return fail(language.error);
    }
    languages.push_back(std::move(*language.value));
  }
  if (languages.empty()) {
    return outcome::failure("catalog directory '" + directory.string() + "' has no *.json files");
  }
  return from_languages(std::move(languages));
}

const catalog_language* message_catalog::find(std::string_view tag) const noexcept {
  const auto found = std::ranges::find(tags_, tag);
  return found == tags_.end() ? nullptr
                              : &languages_[static_cast<std::size_t>(found - tags_.begin())];
}

}  // namespace liaison::i18n
