// `liaisonctl dlq list|show|replay|purge`: the operator's view of the dead letters, over the
// same Redis and key prefix as liaisond (read from the same config file).
#pragma once

#include <span>
#include <string_view>

namespace liaison::ctl {

// Exit codes as the rest of liaisonctl: 0 done, 1 failed, 2 wrong usage.
int run_dlq(std::span<const std::string_view> args);

}  // namespace liaison::ctl
