#include "daemon/services/voice_keypad.hpp"

#include "channels/twilio.hpp"
#include "daemon/services/announcement_service.hpp"
#include "queue/delivery_queue.hpp"
#include "support/time_format.hpp"

namespace liaison::services {

keypad_choice keypad_choice_from(std::string_view digits) noexcept {
  // Twilio sends the digits as pressed; '#' ends a <Gather> early and may be included.
  while (!digits.empty() && (digits.front() == ' ')) {
    digits.remove_prefix(1);
  }
  while (!digits.empty() && (digits.back() == ' ' || digits.back() == '#')) {
    digits.remove_suffix(1);
  }
  if (digits == "1") {
    return keypad_choice::confirm;
  }
  if (digits == "2") {
    return keypad_choice::repeat;
  }
  if (digits == "3") {
    return keypad_choice::call_back;
  }
  return keypad_choice::other;
}

std::string_view voice_answer_of(keypad_choice choice) noexcept {
  switch (choice) {
    case keypad_choice::confirm:
      return "confirmed";
    case keypad_choice::call_back:
      return "call_back";
    case keypad_choice::repeat:
    case keypad_choice::other:
      break;
  }
  return {};
}

voice_keypad_service::voice_keypad_service(queue::delivery_queue& queue,
                                           announcement_service& announcements, const clock& clock,
                                           std::string public_url)
    : queue_(queue),
      announcements_(announcements),
      clock_(clock),
      public_url_(std::move(public_url)) {}

boost::asio::awaitable<boost::system::result<std::string>> voice_keypad_service::handle(
    std::string delivery_id, std::string digits) {
  auto loaded = co_await queue_.load(delivery_id);
  if (!loaded) {
    co_return loaded.error();
  }
  if (!*loaded) {
    co_return channels::build_goodbye_twiml(std::string_view(), std::string_view());
  }
  const auto& record = **loaded;
  auto script = co_await announcements_.call_script_for(record);
  if (!script) {
    co_return script.error();
  }
  if (!*script) {
    co_return channels::build_goodbye_twiml(std::string_view(), std::string_view());
  }
  const auto& said = **script;
  const auto choice = keypad_choice_from(digits);
  const auto action = channels::twilio_gather_action(public_url_, delivery_id);
  switch (choice) {
    case keypad_choice::repeat:
      co_return channels::build_call_twiml(said.text, said.say_language, said.prompt, action);
    case keypad_choice::other:
      co_return channels::build_call_twiml(std::string_view(), said.say_language, said.prompt,
                                           action);
    case keypad_choice::confirm:
    case keypad_choice::call_back:
      break;
  }
  const std::string answer(voice_answer_of(choice));
  // On the delivery first (GET /v1/messages/{id} shows who asked for a call back), then the
  // announcement's counts; a retry after a failure in between records the same values again.
  const queue::record_fields fields = {
      {"voice_answer", answer}, {"voice_answer_at", format_rfc3339_utc(clock_.now_system())}};
  if (auto stored = co_await queue_.update(delivery_id, fields); !stored) {
    co_return stored.error();
  }
  auto counted =
      co_await announcements_.record_voice_answer(record, answer, choice == keypad_choice::confirm);
  if (!counted) {
    co_return counted.error();
  }
  co_return channels::build_goodbye_twiml(said.thanks, said.say_language);
}

}  // namespace liaison::services
