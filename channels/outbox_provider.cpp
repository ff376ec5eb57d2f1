#include "channels/outbox_provider.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace liaison::channels {

outbox_provider::outbox_provider(const config::provider_config& cfg)
    : name_(cfg.name), channels_(cfg.channels) {
  std::filesystem::create_directories(cfg.outbox_directory);
  file_path_ = cfg.outbox_directory / "outbox.ndjson";
  // O_APPEND: each delivery is one write() of one whole line, so lines never interleave even
  // when several liaisond instances share the directory.
  fd_ = ::open(file_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) {
    throw std::runtime_error("cannot open outbox " + file_path_.string() + ": " +
                             std::strerror(errno));
  }
}

outbox_provider::~outbox_provider() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool outbox_provider::supports(config::channel c) const noexcept {
  return std::find(channels_.begin(), channels_.end(), c) != channels_.end();
}

boost::asio::awaitable<delivery_outcome> outbox_provider::send(const rendered_delivery& delivery) {
  boost::json::object line;
  line["delivery_id"] = delivery.delivery_id;
  line["message_id"] = delivery.message_id;
  line["channel"] = config::to_string(delivery.channel);
  line["address"] = delivery.address;
  line["language"] = delivery.language;
  if (!delivery.subject.empty()) {
    line["subject"] = delivery.subject;
  }
  line["text"] = delivery.text;
  // A call's voice and keypad menu: what a demo (or a test) checks a call would say.
  if (!delivery.voice_language.empty()) {
    line["voice_language"] = delivery.voice_language;
  }
  if (!delivery.voice_prompt.empty()) {
    line["voice_prompt"] = delivery.voice_prompt;
  }
  std::string text = boost::json::serialize(line);
  text.push_back('\n');

  const ssize_t written = ::write(fd_, text.data(), text.size());
  if (written != static_cast<ssize_t>(text.size())) {
    // A short or failed write of a local file is transient (disk full, quota): retry later.
    co_return delivery_outcome{outcome_kind::retry_later,
                               {},
                               "outbox write failed: " + std::string(std::strerror(errno)),
                               {}};
  }
  co_return delivery_outcome{outcome_kind::sent, "outbox-" + delivery.delivery_id, {}, {}};
}

}  // namespace liaison::channels
