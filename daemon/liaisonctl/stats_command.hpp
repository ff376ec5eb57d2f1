// liaisonctl stats: the queue's figures at a glance, for an operator deciding whether Liaison is
// keeping up (the same figures /metrics exports, without a Prometheus).
#pragma once

#include <span>
#include <string_view>

namespace liaison::ctl {

int run_stats(std::span<const std::string_view> args);

}  // namespace liaison::ctl
