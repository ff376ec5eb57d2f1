// Keypad answers on an announcement's call (Twilio posts the <Gather> digit): 1 confirms (and,
// when the announcement asks a question, answers its first option), 2 says the message again,
// 3 asks the school to call back. The meaning of a key is a plain function; the service records
// the answer on the delivery and the announcement and writes the TwiML the call continues with.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>

#include "support/clock.hpp"

namespace liaison::queue {
class delivery_queue;
}

namespace liaison::services {

class announcement_service;

enum class keypad_choice {
  confirm,    // 1: heard it (and the first RSVP option, when there is a question)
  repeat,     // 2: say the message again
  call_back,  // 3: the family asks the school to call
  other,      // any other key, or none: say the menu again
};

// The key pressed (Twilio's `Digits`, one digit with numDigits="1"; surrounding spaces and a
// trailing '#' are ignored).
keypad_choice keypad_choice_from(std::string_view digits) noexcept;

// What a choice records as the delivery's `voice_answer` and the announcement's count:
// "confirmed", "call_back"; empty for repeat and other (nothing to record).
std::string_view voice_answer_of(keypad_choice choice) noexcept;

class voice_keypad_service {
 public:
  // `public_url` is ours ([http] public_url): the next <Gather> posts back to the same route.
  voice_keypad_service(queue::delivery_queue& queue, announcement_service& announcements,
                       const clock& clock, std::string public_url);

  // The TwiML answer to `digits` pressed on the call of `delivery_id`. The answer is stored
  // before the TwiML is returned; an error means Redis could not store or read it (the route
  // answers 5xx and Twilio says its own error message). An unknown delivery (or one that is no
  // announcement's call) gets a hang-up.
  boost::asio::awaitable<boost::system::result<std::string>> handle(std::string delivery_id,
                                                                    std::string digits);

 private:
  queue::delivery_queue& queue_;
  announcement_service& announcements_;
  const clock& clock_;
  std::string public_url_;
};

}  // namespace liaison::services
