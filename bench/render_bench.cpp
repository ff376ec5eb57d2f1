// Rendering benchmarks: what localization costs per delivery once the formatters are cached.
// A fan-out renders every guardian's text through one message_renderer per thread, so the
// figure that matters is a cached render (the formatter for that pattern, locale and zone was
// built by an earlier delivery). Each benchmark times every call on its own to report p50 and
// p99 (Google Benchmark's mean hides the tail), and counts ICU formatter constructions during
// the timed loop: it must be zero. Results and how to run: bench/README.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "i18n/catalog.hpp"
#include "i18n/message_format.hpp"

namespace {

using liaison::i18n::message_arguments;
using liaison::i18n::message_catalog;
using liaison::i18n::message_key;
using liaison::i18n::message_renderer;
using liaison::i18n::render_target;
using steady = std::chrono::steady_clock;

// The languages of the acceptance list, each with a zone a district's families live in
// (a district's families mostly share one zone; a few zones keep the cache honest).
const std::array<render_target, 9>& targets() {
  static const std::array<render_target, 9> all{{
      {"en", "en-US", "America/New_York"},
      {"es", "es-MX", "America/Chicago"},
      {"ar", "ar", "America/New_York"},
      {"zh-Hant", "zh-Hant-TW", "America/Los_Angeles"},
      {"vi", "vi", "America/Chicago"},
      {"ht", "ht", "America/New_York"},
      {"so", "so", "America/Chicago"},
      {"am", "am", "America/New_York"},
      {"ru", "ru", "America/Denver"},
  }};
  return all;
}

const message_catalog& catalog() {
  static const message_catalog loaded = [] {
    auto result = message_catalog::load(LIAISON_SOURCE_DIR "/i18n/catalog");
    if (!result) {
      throw std::runtime_error("catalog: " + result.error);
    }
    return std::move(*result.value);
  }();
  return loaded;
}

// An announcement body as staff write one: a name, a date in the guardian's zone, a plural.
constexpr const char* announcement_pattern =
    "Dear {guardian}, Parent Academy meets on {start, date, ::MMMMdEEEE} at "
    "{start, time, ::jmm} at {school}. {seats, plural, one {# seat is} other {# seats are}} "
    "left; childcare and interpretation are free.";

// What a fan-out passes: the announcement's own values (the same for every delivery) and the
// guardian's name (different each time). `seats_vary` changes the count on every call too, the
// worst case, where nothing of an earlier render can be reused.
message_arguments announcement_arguments(std::size_t guardian, bool seats_vary) {
  return {{"guardian", "Guardian " + std::to_string(guardian)},
          {"start", std::chrono::system_clock::time_point{std::chrono::seconds{1'765'000'000}}},
          {"school", "Lincoln Elementary"},
          {"seats", std::int64_t{seats_vary ? static_cast<std::int64_t>(guardian % 40) : 12}}};
}

// Times each call; reports p50/p99 in nanoseconds and the formatters built while timing.
template <typename Render>
void run_timed(benchmark::State& state, message_renderer& renderer, Render render) {
  std::vector<std::int64_t> samples;
  samples.reserve(1 << 20);
  std::size_t calls = 0;
  // Warm every (pattern, locale, zone) once, as the first deliveries of a fan-out do.
  for (std::size_t i = 0; i < targets().size(); ++i) {
    render(i);
  }
  const std::size_t built_before = renderer.formatter_constructions();
  for (auto _ : state) {
    const auto start = steady::now();
    benchmark::DoNotOptimize(render(calls));
    const auto elapsed = steady::now() - start;
    if (samples.size() < samples.capacity()) {
      samples.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count());
    }
    ++calls;
  }
  std::sort(samples.begin(), samples.end());
  const auto percentile = [&](double p) {
    return samples.empty() ? 0.0
                           : static_cast<double>(samples[static_cast<std::size_t>(
                                 p * static_cast<double>(samples.size() - 1))]);
  };
  state.counters["p50_ns"] = percentile(0.50);
  state.counters["p99_ns"] = percentile(0.99);
  state.counters["formatters_built"] =
      static_cast<double>(renderer.formatter_constructions() - built_before);
  state.SetItemsProcessed(static_cast<std::int64_t>(calls));
}

// A staff-written announcement body, cached per (pattern, locale, zone); arg 0 = 1 varies the
// count per delivery.
void BM_render_announcement(benchmark::State& state) {
  message_renderer renderer(catalog());
  const bool seats_vary = state.range(0) != 0;
  run_timed(state, renderer, [&](std::size_t i) {
    const auto& target = targets()[i % targets().size()];
    auto text = renderer.render_pattern(announcement_pattern, target,
                                        announcement_arguments(i, seats_vary));
    if (!text) {
      throw std::runtime_error(text.error);
    }
    return text.value->size();
  });
}
BENCHMARK(BM_render_announcement)->ArgName("seats_vary")->Arg(0)->Arg(1);

// A catalog string with an argument, as each announcement's "Message from {school}:" prefix.
void BM_render_catalog(benchmark::State& state) {
  message_renderer renderer(catalog());
  const message_arguments arguments{{"school", "Lincoln Elementary"}};
  run_timed(state, renderer, [&](std::size_t i) {
    auto text = renderer.render(message_key::message_from_school, targets()[i % targets().size()],
                                arguments);
    if (!text) {
      throw std::runtime_error(text.error);
    }
    return text.value->size();
  });
}
BENCHMARK(BM_render_catalog);

}  // namespace

BENCHMARK_MAIN();
