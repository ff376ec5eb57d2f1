// Turns one announcement delivery (its record, written by fan-out) into the text a provider
// sends: the chosen text rendered with ICU in the guardian's locale and time zone, framed for
// its channel (SMS: who it is from and the STOP footer; email: subject; voice: intro and keypad
// prompt in the spoken language), with the notices localization asked for. Pure; one per
// worker thread (it holds a message_renderer's formatter cache).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "channels/provider.hpp"
#include "config/config.hpp"
#include "daemon/services/announcement.hpp"
#include "i18n/catalog.hpp"
#include "i18n/localization.hpp"
#include "i18n/result.hpp"

namespace liaison::services {

class announcement_renderer {
 public:
  // The catalog must outlive the renderer.
  announcement_renderer(const i18n::message_catalog& catalog, config::district_config district);
  ~announcement_renderer();
  announcement_renderer(announcement_renderer&&) noexcept;
  announcement_renderer& operator=(announcement_renderer&&) noexcept;

  // Fails (with why) when the record does not fit the announcement, e.g. a machine translation
  // was planned but none is available.
  // `choice` is the localization for the record's guardian language
  // (announcement_planner::localization_for).
  i18n::result<channels::rendered_delivery> render(const announcement& a,
                                                   const std::map<std::string, std::string>& record,
                                                   const i18n::localization_choice& choice);

  // A catalog string without arguments in the language `choice` renders the text in (what a
  // call says after a keypad answer); empty when that language is not in the catalog.
  std::string catalog_text(i18n::message_key key, const i18n::localization_choice& choice);

  // The name families know a school by ([district.schools]); the district's name for none.
  std::string school_name(std::string_view school_id) const;

 private:
  struct state;
  std::unique_ptr<state> state_;
};

}  // namespace liaison::services
