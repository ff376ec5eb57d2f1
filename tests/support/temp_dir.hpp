// A fresh temporary directory for one test, removed with everything in it afterwards.
#pragma once

#include <filesystem>

namespace liaison::testing {

class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace liaison::testing
