// The outbox provider (development and demos): appends each delivery as one JSON line to
// <directory>/outbox.ndjson instead of calling a provider, so no account is needed.
#pragma once

#include <filesystem>
#include <vector>

#include "channels/provider.hpp"

namespace liaison::channels {

class outbox_provider final : public provider {
 public:
  // Creates the directory when missing; throws std::runtime_error if it cannot.
  explicit outbox_provider(const config::provider_config& cfg);
  ~outbox_provider() override;
  outbox_provider(const outbox_provider&) = delete;
  outbox_provider& operator=(const outbox_provider&) = delete;

  const std::string& name() const noexcept override { return name_; }
  bool supports(config::channel c) const noexcept override;
  boost::asio::awaitable<delivery_outcome> send(const rendered_delivery& delivery) override;

  const std::filesystem::path& file_path() const noexcept { return file_path_; }

 private:
  std::string name_;
  std::vector<config::channel> channels_;
  std::filesystem::path file_path_;
  int fd_ = -1;
};

}  // namespace liaison::channels
