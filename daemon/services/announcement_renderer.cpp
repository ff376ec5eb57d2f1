#include "daemon/services/announcement_renderer.hpp"

#include <unicode/listformatter.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "i18n/language.hpp"
#include "i18n/message_format.hpp"
#include "i18n/voice.hpp"

namespace liaison::services {
namespace {

using record_fields = std::map<std::string, std::string>;

std::string field(const record_fields& record, const char* key) {
  const auto it = record.find(key);
  return it == record.end() ? std::string() : it->second;
}

std::vector<std::string> split_names(const std::string& joined) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start <= joined.size() && !joined.empty()) {
    const auto end = joined.find('\x1f', start);
    names.push_back(joined.substr(start, end - start));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return names;
}

void append_paragraph(std::string& text, const std::string& paragraph) {
  if (paragraph.empty()) {
    return;
  }
  if (!text.empty()) {
    text += "\n\n";
  }
  text += paragraph;
}

}  // namespace

struct announcement_renderer::state {
  state(const i18n::message_catalog& c, config::district_config d)
      : catalog(c), district(std::move(d)), renderer(c) {}

  const i18n::message_catalog& catalog;
  config::district_config district;
  i18n::message_renderer renderer;
  // ICU list formatters per locale ("Ana, Luis y Sofía"): built once each.
  std::map<std::string, std::unique_ptr<icu::ListFormatter>, std::less<>> list_formatters;

  std::string format_list(const std::vector<std::string>& items, const std::string& locale) {
    if (items.size() < 2) {
      return items.empty() ? std::string() : items.front();
    }
    auto it = list_formatters.find(locale);
    if (it == list_formatters.end()) {
      UErrorCode status = U_ZERO_ERROR;
      std::unique_ptr<icu::ListFormatter> formatter(
          icu::ListFormatter::createInstance(icu::Locale::forLanguageTag(locale, status), status));
      if (U_FAILURE(status)) {
        formatter.reset();
      }
      it = list_formatters.emplace(locale, std::move(formatter)).first;
    }
    if (!it->second) {
      std::string joined;
      for (const auto& item : items) {
        joined += (joined.empty() ? "" : ", ") + item;
      }
      return joined;
    }
    std::vector<icu::UnicodeString> unicode;
    unicode.reserve(items.size());
    for (const auto& item : items) {
      unicode.push_back(icu::UnicodeString::fromUTF8(item));
    }
    icu::UnicodeString out;
    UErrorCode status = U_ZERO_ERROR;
    it->second->format(unicode.data(), static_cast<int32_t>(unicode.size()), out, status);
    std::string utf8;
    out.toUTF8String(utf8);
    return utf8;
  }

  // A catalog message, or empty when the language is not in the catalog (a notice is a
  // courtesy: its absence must not stop the announcement).
  std::string catalog_text(i18n::message_key key, const std::string& language,
                           const i18n::message_arguments& arguments) {
    if (catalog.find(language) == nullptr) {
      return {};
    }
    i18n::render_target target;
    target.text_language = language;
    auto rendered = renderer.render(key, target, arguments);
    return rendered ? std::move(*rendered.value) : std::string();
  }
};

announcement_renderer::announcement_renderer(const i18n::message_catalog& catalog,
                                             config::district_config district)
    : state_(std::make_unique<state>(catalog, std::move(district))) {}

announcement_renderer::~announcement_renderer() = default;
announcement_renderer::announcement_renderer(announcement_renderer&&) noexcept = default;
announcement_renderer& announcement_renderer::operator=(announcement_renderer&&) noexcept = default;

std::string announcement_renderer::catalog_text(i18n::message_key key,
                                                const i18n::localization_choice& choice) {
  return state_->catalog_text(key, choice.text_language, {});
}

std::string announcement_renderer::school_name(std::string_view school_id) const {
  if (school_id.empty()) {
    return state_->district.name;
  }
  const auto it = state_->district.schools.find(std::string(school_id));
  return it == state_->district.schools.end() || it->second.name.empty() ? std::string(school_id)
                                                                         : it->second.name;
}

i18n::result<channels::rendered_delivery> announcement_renderer::render(
    const announcement& a, const record_fields& record, const i18n::localization_choice& choice) {
  using failure = i18n::result<channels::rendered_delivery>;
  const auto& text_language = choice.text_language;
  const announcement_text* text = nullptr;
  if (choice.source == i18n::text_source::machine_translation) {
    const auto machine = a.machine_translations.find(text_language);
    text = machine == a.machine_translations.end() ? nullptr : &machine->second;
  } else {
    text = text_in(a, text_language);
  }
  if (text == nullptr) {
    return failure::failure("no text in " + text_language +
                            (choice.source == i18n::text_source::machine_translation
                                 ? " (no machine translation was stored)"
                                 : ""));
  }
  const auto channel_name = field(record, "channel");
  channels::rendered_delivery out;
  if (channel_name == "email") {
    out.channel = config::channel::email;
  } else if (channel_name == "voice") {
    out.channel = config::channel::voice;
  } else {
    out.channel = config::channel::sms;
  }
  out.delivery_id = field(record, "id");
  out.message_id = a.id;
  out.address = field(record, "address");
  out.language = field(record, "language");

  i18n::render_target target;
  target.locale = choice.format_locale;
  target.time_zone = field(record, "time_zone");
  if (target.time_zone.empty()) {
    target.time_zone = state_->district.time_zone;
  }
  const std::string school = school_name(field(record, "school"));
  i18n::message_arguments arguments = a.arguments;
  arguments.push_back({"guardian_name", field(record, "guardian_name")});
  arguments.push_back(
      {"student_names",
       state_->format_list(split_names(field(record, "student_names")), target.locale)});
  arguments.push_back({"school", school});

  auto body = state_->renderer.render_pattern(text->body, target, arguments);
  if (!body) {
    return failure::failure("the body cannot be rendered: " + body.error);
  }

  // Notices are written in the guardian's own language when the catalog has it.
  const auto& notice_language = choice.notice_language;
  std::string notices;
  if (choice.add_fallback_notice) {
    auto named = i18n::display_name(out.language, notice_language);
    const i18n::message_arguments language_argument = {
        {"language", named ? *named.value : out.language}};
    append_paragraph(notices, state_->catalog_text(i18n::message_key::fallback_language_notice,
                                                   notice_language, language_argument));
  }
  if (choice.add_machine_translation_notice) {
    append_paragraph(notices, state_->catalog_text(i18n::message_key::machine_translated_notice,
                                                   notice_language, {}));
  }
  const i18n::message_arguments school_argument = {{"school", school}};

  switch (out.channel) {
    case config::channel::sms: {
      // Who it is from comes first, so a family knows the number; the STOP footer last, as
      // carriers expect of bulk messages.
      std::string sms = state_->catalog_text(i18n::message_key::message_from_school,
                                             notice_language, school_argument);
      sms += sms.empty() ? *body.value : "\n" + *body.value;
      if (!notices.empty()) {
        sms += "\n" + notices;
      }
      const auto footer = state_->catalog_text(i18n::message_key::stop_footer, notice_language, {});
      if (!footer.empty()) {
        sms += "\n" + footer;
      }
      out.text = std::move(sms);
      break;
    }
    case config::channel::email: {
      auto subject = state_->renderer.render_pattern(text->subject, target, arguments);
      if (!subject) {
        return failure::failure("the subject cannot be rendered: " + subject.error);
      }
      out.subject = std::move(*subject.value);
      std::string email = std::move(*body.value);
      append_paragraph(email, notices);
      out.text = std::move(email);
      break;
    }
    case config::channel::voice: {
      // Everything said is said in the spoken language: the intro and prompt in the text's
      // language (the notices are for reading, not for a call).
      const auto& spoken = choice.in_guardian_language ? target.locale : text_language;
      const auto voice = i18n::twilio_voice_for(spoken);
      if (!voice) {
        return failure::failure("the voice cannot speak " + spoken);
      }
      out.voice_language = std::string(voice->say_language);
      std::string said =
          state_->catalog_text(i18n::message_key::voice_intro, text_language, school_argument);
      said += said.empty() ? *body.value : " " + *body.value;
      out.text = std::move(said);
      out.voice_prompt =
          state_->catalog_text(i18n::message_key::voice_keypad_prompt, text_language, {});
      break;
    }
    case config::channel::notice:
      return failure::failure("announcements are not sent as notices");
  }
  return i18n::result<channels::rendered_delivery>::success(std::move(out));
}

}  // namespace liaison::services
